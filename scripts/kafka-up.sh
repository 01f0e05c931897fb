#!/usr/bin/env bash
# Starts Apache Kafka in KRaft mode for development, tests and CI, and returns once it
# serves metadata and consumer groups. Idempotent: nodes already running are kept, missing
# ones (a node killed by a fault test) are started again.
#
# One node by default. `--brokers N` (or KAFKA_CLUSTER_SIZE=N) starts a cluster of N combined
# broker+controller nodes with an N-voter quorum, internal topics replicated min(N,3) times
# and min.insync.replicas=2 (N >= 3).
#
# Env: KAFKA_HOST (127.0.0.1, listener address), KAFKA_PORT (9092),
#      KAFKA_CONTROLLER_PORT (9093), KAFKA_HOME_DIR (<repo>/.kafka),
#      KAFKA_READY_TIMEOUT_S (60), KAFKA_HEAP_OPTS (-Xms256m -Xmx512m for one node,
#      -Xms128m -Xmx384m per node for a cluster),
#      KAFKA_UP_ERROR_FILE (optional; the failure reason is written there),
#      KAFKA_LIBS_DIR (<KAFKA_HOME_DIR>/libs; lets another broker or cluster reuse the jars),
#      KAFKA_CLUSTER_SIZE (1), KAFKA_PORTS / KAFKA_CONTROLLER_PORTS (a cluster's listener
#      ports, comma-separated; default KAFKA_PORT+0,+2,+4... and KAFKA_CONTROLLER_PORT+0,+2,+4...,
#      so 9092,9094,9096 and 9093,9095,9097 for three nodes).
# State under KAFKA_HOME_DIR: libs/ (jars from scripts/kafka/pom.xml); for one node data/,
# logs/server.log, logs/stdout.log, server.properties, kafka.pid; for a cluster the same
# under node-1/, node-2/... and the cluster id in cluster.id.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<'EOF'
Usage: bash scripts/kafka-up.sh [--brokers N] [--node I]   (bun run kafka:up -- --brokers 3)

  --brokers N   number of KRaft nodes, each broker and controller (default 1, or KAFKA_CLUSTER_SIZE)
  --node I      start only node I of the cluster if it is down (fault drills); the others are left as they are
  --help        print this help
See the comment at the top of scripts/kafka-up.sh for the environment variables.
EOF
}

CLUSTER_SIZE="${KAFKA_CLUSTER_SIZE:-1}"
ONLY_NODE=""
while (($# > 0)); do
  case "$1" in
    --brokers) CLUSTER_SIZE="${2:-}"; shift 2 || { echo "kafka-up: --brokers needs a number" >&2; exit 2; } ;;
    --brokers=*) CLUSTER_SIZE="${1#--brokers=}"; shift ;;
    --node) ONLY_NODE="${2:-}"; shift 2 || { echo "kafka-up: --node needs a number" >&2; exit 2; } ;;
    --node=*) ONLY_NODE="${1#--node=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "kafka-up: unknown argument \"$1\"" >&2; usage >&2; exit 2 ;;
  esac
done

KAFKA_HOST="${KAFKA_HOST:-127.0.0.1}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HOME_DIR="${KAFKA_HOME_DIR:-$ROOT/.kafka}"
KAFKA_READY_TIMEOUT_S="${KAFKA_READY_TIMEOUT_S:-60}"
MAVEN_TIMEOUT_S="${MAVEN_TIMEOUT_S:-900}"

fail() {
  echo "kafka-up: $*" >&2
  # tests/preload.ts reads the reason from here to report it from requireKafka().
  if [[ -n "${KAFKA_UP_ERROR_FILE:-}" ]]; then
    echo "$*" >"$KAFKA_UP_ERROR_FILE"
  fi
  exit 1
}

log() {
  echo "kafka-up: $*" >&2
}

[[ "$CLUSTER_SIZE" =~ ^[1-9][0-9]?$ ]] || fail "--brokers / KAFKA_CLUSTER_SIZE must be a whole number from 1 to 99, got \"$CLUSTER_SIZE\""
if [[ -n "$ONLY_NODE" ]] && ! { [[ "$ONLY_NODE" =~ ^[1-9][0-9]?$ ]] && ((ONLY_NODE <= CLUSTER_SIZE)); }; then
  fail "--node must be a node number from 1 to $CLUSTER_SIZE, got \"$ONLY_NODE\""
fi
if ((CLUSTER_SIZE == 1)); then
  KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
else
  # Three nodes with this heap: 350 to 480 MB of RSS each, 1.1 to 1.4 GB together (docs/fleet.md).
  KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms128m -Xmx384m}"
fi

# Listener ports of each node, index 1..N: a list given in full, else every second port from the base.
node_ports() {
  local list="$1" base="$2" name="$3" i
  local -a ports=()
  if [[ -n "$list" ]]; then
    IFS=',' read -r -a ports <<<"$list"
    ((${#ports[@]} == CLUSTER_SIZE)) || fail "$name lists ${#ports[@]} port(s) for $CLUSTER_SIZE node(s)"
  else
    for ((i = 0; i < CLUSTER_SIZE; i++)); do ports+=($((base + 2 * i))); done
  fi
  for i in "${ports[@]}"; do
    [[ "$i" =~ ^[0-9]+$ ]] && ((i > 0 && i < 65536)) || fail "$name: \"$i\" is not a TCP port"
  done
  echo "${ports[*]}"
}
if ((CLUSTER_SIZE == 1)); then
  read -r -a PORTS <<<"$KAFKA_PORT"
  read -r -a CONTROLLER_PORTS <<<"$KAFKA_CONTROLLER_PORT"
else
  read -r -a PORTS <<<"$(node_ports "${KAFKA_PORTS:-}" "$KAFKA_PORT" KAFKA_PORTS)"
  read -r -a CONTROLLER_PORTS <<<"$(node_ports "${KAFKA_CONTROLLER_PORTS:-}" "$KAFKA_CONTROLLER_PORT" KAFKA_CONTROLLER_PORTS)"
fi

# True when something accepts TCP connections on host:port.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# Folder of node $1 (1-based): the home itself for a single node, so its layout is unchanged.
node_dir() {
  if ((CLUSTER_SIZE == 1)); then echo "$KAFKA_HOME_DIR"; else echo "$KAFKA_HOME_DIR/node-$1"; fi
}

print_log_tail() {
  local i file
  for ((i = 1; i <= CLUSTER_SIZE; i++)); do
    for file in "$(node_dir "$i")/logs/stdout.log" "$(node_dir "$i")/logs/server.log"; do
      if [[ -s "$file" ]]; then
        echo "---- last lines of $file ----" >&2
        tail -n 40 "$file" >&2
      fi
    done
  done
}

# Pid from node $1's pid file when that process is this home's broker, else empty.
own_broker_pid() {
  local dir pid
  dir="$(node_dir "$1")"
  [[ -f "$dir/kafka.pid" ]] || return 0
  pid="$(cat "$dir/kafka.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  # The pid may have been reused: accept it only if it runs kafka.Kafka on our config.
  if tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $dir/server.properties"; then
    echo "$pid"
  fi
}

BOOTSTRAP=""
for port in "${PORTS[@]}"; do BOOTSTRAP+="${BOOTSTRAP:+,}$KAFKA_HOST:$port"; done

# Waits until every running node is up; $@ are their node numbers, with pids in NODE_PIDS
# (one exiting fails at once).
wait_ready() {
  local pids="" seeds="" i rc=0
  for i in "$@"; do
    pids+="${pids:+,}${NODE_PIDS[i]}"
    seeds+="${seeds:+,}$KAFKA_HOST:${PORTS[i - 1]}"
  done
  KAFKA_BROKERS="$seeds" KAFKA_PID="$pids" KAFKA_EXPECT_BROKERS="$#" \
    KAFKA_READY_TIMEOUT_MS="$((KAFKA_READY_TIMEOUT_S * 1000))" \
    bun "$ROOT/scripts/kafka-ready.ts" || rc=$?
  case "$rc" in
    0) return 0 ;;
    2)
      print_log_tail
      fail "a broker exited during startup (pids $pids); see the logs under $KAFKA_HOME_DIR"
      ;;
    *)
      print_log_tail
      log "stopping brokers $pids that never became ready"
      KAFKA_HOME_DIR="$KAFKA_HOME_DIR" bash "$ROOT/scripts/kafka-down.sh" >&2 || true
      fail "brokers on $BOOTSTRAP not ready within ${KAFKA_READY_TIMEOUT_S}s"
      ;;
  esac
}

fetch_jars() {
  local staging="$LIBS_DIR.partial"
  command -v mvn >/dev/null || fail "mvn not found on PATH; it is needed once to fetch the Kafka jars (apt-get install maven)"
  log "fetching Kafka jars with Maven into $LIBS_DIR (first run only)"
  rm -rf "$staging"
  if ! timeout "$MAVEN_TIMEOUT_S" mvn -q -B -f "$ROOT/scripts/kafka/pom.xml" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$staging" \
    >"$KAFKA_HOME_DIR/maven.log" 2>&1; then
    tail -n 40 "$KAFKA_HOME_DIR/maven.log" >&2
    fail "Maven could not fetch the Kafka jars; full log in $KAFKA_HOME_DIR/maven.log"
  fi
  # Rename last so an interrupted fetch is never mistaken for a complete one.
  rm -rf "$LIBS_DIR"
  mv "$staging" "$LIBS_DIR"
}

# server.properties of node $1.
write_config() {
  local i="$1" dir voters="" n replicas min_isr
  dir="$(node_dir "$i")"
  for ((n = 1; n <= CLUSTER_SIZE; n++)); do
    voters+="${voters:+,}$n@$KAFKA_HOST:${CONTROLLER_PORTS[n - 1]}"
  done
  replicas=$((CLUSTER_SIZE < 3 ? CLUSTER_SIZE : 3))
  min_isr=$((replicas < 2 ? 1 : 2))
  cat >"$dir/server.properties" <<EOF
# Generated by scripts/kafka-up.sh; edits are overwritten on the next start.
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://$KAFKA_HOST:${PORTS[i - 1]},CONTROLLER://$KAFKA_HOST:${CONTROLLER_PORTS[i - 1]}
advertised.listeners=PLAINTEXT://$KAFKA_HOST:${PORTS[i - 1]}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=true
default.replication.factor=$replicas
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$replicas
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=$replicas
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=$replicas
share.coordinator.state.topic.min.isr=$min_isr
group.initial.rebalance.delay.ms=0
# A restart after SIGKILL waits for the old registration's session to expire (9 s by default);
# in a cluster this is also how long partitions led by a killed node wait for a new leader.
broker.session.timeout.ms=6000
broker.heartbeat.interval.ms=1000
EOF
}

# Formats node $1's storage with the cluster id, once.
format_node() {
  local dir
  dir="$(node_dir "$1")"
  [[ -f "$dir/data/meta.properties" ]] && return 0
  log "formatting storage in $dir/data (cluster $CLUSTER_ID, node $1)"
  java -cp "$LIBS_DIR/*" kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$dir/server.properties" \
    >>"$dir/logs/format.log" 2>&1 || {
    tail -n 20 "$dir/logs/format.log" >&2
    fail "formatting storage failed; see $dir/logs/format.log"
  }
}

# Starts node $1 in the background and prints its pid.
start_node() {
  local dir
  dir="$(node_dir "$1")"
  # Keep one previous run's log; tails printed on failure then show only this run.
  if [[ -f "$dir/logs/server.log" ]]; then
    mv "$dir/logs/server.log" "$dir/logs/server.log.prev"
  fi
  # setsid: the broker leaves our process group, so Ctrl-C on `bun test` or a CI step
  # does not reach it. In a non-interactive shell setsid execs in place, so $! is java.
  # 9>&- keeps the lock fd out of the broker so the lock is released when we exit.
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags.
  setsid java $KAFKA_HEAP_OPTS -XX:+UseG1GC -Djava.awt.headless=true \
    -Dkafka.logs.dir="$dir/logs" \
    -Dlog4j2.configurationFile="$ROOT/scripts/kafka-log4j2.yaml" \
    -cp "$LIBS_DIR/*" kafka.Kafka "$dir/server.properties" \
    </dev/null >"$dir/logs/stdout.log" 2>&1 9>&- &
  echo "$!" >"$dir/kafka.pid"
  echo "$!"
}

command -v java >/dev/null || fail "java not found on PATH; install a JDK 17+ (apt-get install openjdk-17-jre-headless)"
command -v bun >/dev/null || fail "bun not found on PATH; it runs the readiness probe"

mkdir -p "$KAFKA_HOME_DIR"
KAFKA_HOME_DIR="$(cd "$KAFKA_HOME_DIR" && pwd)"
LIBS_DIR="${KAFKA_LIBS_DIR:-$KAFKA_HOME_DIR/libs}"
mkdir -p "$(dirname "$LIBS_DIR")"

# Concurrent callers (several `bun test` runs on a fresh clone) start one broker.
exec 9>"$KAFKA_HOME_DIR/.lock"
flock -w 300 9 || fail "timed out waiting for another kafka-up.sh holding $KAFKA_HOME_DIR/.lock"

declare -a PIDS=() STARTING=() RUNNING=() NODE_PIDS=()
for ((i = 1; i <= CLUSTER_SIZE; i++)); do
  mkdir -p "$(node_dir "$i")/logs"
  pid="$(own_broker_pid "$i")"
  if [[ -n "$pid" ]]; then
    PIDS+=("$pid")
    RUNNING+=("$i")
    NODE_PIDS[i]="$pid"
    continue
  fi
  [[ -z "$ONLY_NODE" || "$ONLY_NODE" == "$i" ]] || continue
  rm -f "$(node_dir "$i")/kafka.pid"
  for port in "${PORTS[i - 1]}" "${CONTROLLER_PORTS[i - 1]}"; do
    if port_open "$KAFKA_HOST" "$port"; then
      fail "port $port on $KAFKA_HOST is already in use by a process that is not node $i of $KAFKA_HOME_DIR; stop it or set KAFKA_PORT/KAFKA_CONTROLLER_PORT (KAFKA_PORTS/KAFKA_CONTROLLER_PORTS for a cluster)"
    fi
  done
  STARTING+=("$i")
done

if ((${#STARTING[@]} == 0)); then
  wait_ready "${RUNNING[@]}"
  log "${#PIDS[@]} broker(s) already running (pids ${PIDS[*]}) on $BOOTSTRAP"
  exit 0
fi

[[ -f "$LIBS_DIR/kafka_2.13-4.1.1.jar" ]] || fetch_jars

if ((CLUSTER_SIZE == 1)); then
  CLUSTER_ID_FILE=""
else
  CLUSTER_ID_FILE="$KAFKA_HOME_DIR/cluster.id"
fi
if [[ -n "$CLUSTER_ID_FILE" && -s "$CLUSTER_ID_FILE" ]]; then
  CLUSTER_ID="$(cat "$CLUSTER_ID_FILE")"
else
  CLUSTER_ID="$(java -cp "$LIBS_DIR/*" kafka.tools.StorageTool random-uuid 2>>"$KAFKA_HOME_DIR/format.log")"
  [[ -n "$CLUSTER_ID_FILE" ]] && echo "$CLUSTER_ID" >"$CLUSTER_ID_FILE"
fi

for i in "${STARTING[@]}"; do
  write_config "$i"
  format_node "$i"
done
# All missing nodes start together: a quorum needs a majority of its voters before any serves.
for i in "${STARTING[@]}"; do
  pid="$(start_node "$i")"
  PIDS+=("$pid")
  RUNNING+=("$i")
  NODE_PIDS[i]="$pid"
  log "started node $i (pid $pid) on $KAFKA_HOST:${PORTS[i - 1]}, controller :${CONTROLLER_PORTS[i - 1]}"
done

started_at=$SECONDS
wait_ready "${RUNNING[@]}"
log "${#PIDS[@]} broker(s) ready on $BOOTSTRAP after $((SECONDS - started_at))s (logs under $KAFKA_HOME_DIR)"
