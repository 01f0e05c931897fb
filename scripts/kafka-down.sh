#!/usr/bin/env bash
# Stops the broker(s) started by scripts/kafka-up.sh, a single node or every node of a
# cluster: SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT_S (20). `--kill` sends SIGKILL at
# once (fault tests); `--node N` stops only node N of a cluster. No broker running is not an
# error. Env: KAFKA_HOME_DIR (<repo>/.kafka).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_HOME_DIR="${KAFKA_HOME_DIR:-$ROOT/.kafka}"
KAFKA_STOP_TIMEOUT_S="${KAFKA_STOP_TIMEOUT_S:-20}"

log() {
  echo "kafka-down: $*" >&2
}

KILL=false
NODE=""
while (($# > 0)); do
  case "$1" in
    --kill) KILL=true; shift ;;
    --node) NODE="${2:-}"; shift 2 || { log "--node needs a node number"; exit 2; } ;;
    --node=*) NODE="${1#--node=}"; shift ;;
    *) log "unknown argument \"$1\" (expected --kill, --node N)"; exit 2 ;;
  esac
done
if [[ -n "$NODE" && ! "$NODE" =~ ^[1-9][0-9]?$ ]]; then
  log "--node must be a node number (1, 2, ...), got \"$NODE\""
  exit 2
fi

# A zombie whose threads have all exited counts as gone: it holds no ports and cannot be
# signalled further. The JVM's main thread turns zombie before its other threads have closed
# the listening sockets, so a zombie with threads left is still alive.
is_alive() {
  local state tasks
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$state" ]] || return 1
  [[ "$state" != "Z" ]] && return 0
  tasks="$(find "/proc/$1/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
  ((tasks > 1))
}

# The folders holding a node's kafka.pid: the home (one node) and node-N/ (a cluster).
declare -a DIRS=()
if [[ -n "$NODE" ]]; then
  if [[ -d "$KAFKA_HOME_DIR/node-$NODE" ]]; then DIRS+=("$KAFKA_HOME_DIR/node-$NODE")
  elif [[ "$NODE" == 1 ]]; then DIRS+=("$KAFKA_HOME_DIR"); fi
else
  DIRS+=("$KAFKA_HOME_DIR")
  for dir in "$KAFKA_HOME_DIR"/node-*/; do
    [[ -d "$dir" ]] && DIRS+=("${dir%/}")
  done
fi

# Pids (and their pid files) of the nodes really running from this home.
declare -a PIDS=() PID_FILES=()
for dir in "${DIRS[@]}"; do
  pid_file="$dir/kafka.pid"
  [[ -f "$pid_file" ]] || continue
  pid="$(cat "$pid_file")"
  config="$(cd "$dir" && pwd)/server.properties"
  # The pid may have been reused since the broker died: only signal our own broker.
  if ! [[ "$pid" =~ ^[0-9]+$ ]] ||
    ! tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $config"; then
    log "no broker running from $dir (stale pid file)"
    rm -f "$pid_file"
    continue
  fi
  PIDS+=("$pid")
  PID_FILES+=("$pid_file")
done

if ((${#PIDS[@]} == 0)); then
  log "no broker running under $KAFKA_HOME_DIR${NODE:+ (node $NODE)}"
  exit 0
fi

any_alive() {
  local pid
  for pid in "${PIDS[@]}"; do is_alive "$pid" && return 0; done
  return 1
}

if $KILL; then
  kill -KILL "${PIDS[@]}" 2>/dev/null || true
  log "sent SIGKILL to broker(s) ${PIDS[*]}"
else
  # All at once: stopped one by one, the last nodes of a cluster would lose their quorum
  # and wait out their controlled shutdown.
  kill -TERM "${PIDS[@]}" 2>/dev/null || true
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT_S))
  while any_alive && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if any_alive; then
    log "broker(s) still running after ${KAFKA_STOP_TIMEOUT_S}s; sending SIGKILL"
    kill -KILL "${PIDS[@]}" 2>/dev/null || true
  fi
fi
deadline=$((SECONDS + 5))
while any_alive && ((SECONDS < deadline)); do
  sleep 0.1
done
rm -f "${PID_FILES[@]}"
log "stopped broker(s) ${PIDS[*]}"
