#!/usr/bin/env bash
# What a pinned target does per response while a load tool runs (issue 16's diagnosis, bench/RESULTS.md):
# the target's system calls, context switches and CPU from /proc, per response it counted, over 3 s in
# the middle of the tool's run. Needs perf with tracepoints, and the bench's Go target already running:
#   GOMAXPROCS=1 taskset -c 1 bench/.tools/bin/go-target --host 127.0.0.1 --port 18099 &
#   scripts/target-syscalls.sh 18099 taskset -c 0 wrk -t1 -c16 -d6s http://127.0.0.1:18099/ping
#   scripts/target-syscalls.sh 18099 taskset -c 0 bun bench/children/driver-node.ts \
#     '{"url":"http://127.0.0.1:18099/ping","mode":"AVALANCHE","count":2000000,"concurrency":16,"stop_after_ms":6000}'
# Loopback only: the tool's URL must point at the local target.
set -euo pipefail
port=$1; shift
pid=$(pgrep -f "go-target --host 127.0.0.1 --port $port")
count() { curl -s "http://127.0.0.1:$port/metrics?format=json" | grep -o '[0-9]*' | head -1; }
ticks() { awk '{print $14+$15}' "/proc/$pid/stat"; }
out=$(mktemp)
"$@" >/dev/null 2>&1 &
tool=$!
sleep 1.5
before=$(count); t0=$(ticks)
perf stat -x, -o "$out" -p "$pid" -e syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_epoll_pwait,context-switches,raw_syscalls:sys_enter -- sleep 3
after=$(count); t1=$(ticks)
wait "$tool" || true
python3 - "$out" "$before" "$after" "$t0" "$t1" "$(getconf CLK_TCK)" <<'PY'
import sys
path, before, after, t0, t1, hz = sys.argv[1], *map(int, sys.argv[2:])
n = after - before
per = {}
for line in open(path):
    f = line.strip().split(",")
    if len(f) > 3 and f[0].isdigit():
        per[f[2].split(":")[-1].replace("sys_enter_", "")] = round(int(f[0]) / n, 3)
print(f"responses/s {n // 3}  target CPU µs/response {round((t1 - t0) * 1e6 / hz / n, 2)}  per response {per}")
PY
rm -f "$out"
