#!/usr/bin/env bash
# Stops the broker started by scripts/kafka-up.sh: SIGTERM, then SIGKILL after
# KAFKA_STOP_TIMEOUT_S (20). `--kill` sends SIGKILL at once (fault tests).
# No broker running is not an error. Env: KAFKA_HOME_DIR (<repo>/.kafka).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_HOME_DIR="${KAFKA_HOME_DIR:-$ROOT/.kafka}"
KAFKA_STOP_TIMEOUT_S="${KAFKA_STOP_TIMEOUT_S:-20}"
PID_FILE="$KAFKA_HOME_DIR/kafka.pid"

log() {
  echo "kafka-down: $*" >&2
}

# A zombie counts as gone: it holds no ports and cannot be signalled further.
is_alive() {
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != "Z" ]]
}

if [[ ! -f "$PID_FILE" ]]; then
  log "no broker running (no $PID_FILE)"
  exit 0
fi
pid="$(cat "$PID_FILE")"
CONFIG="$(cd "$KAFKA_HOME_DIR" && pwd)/server.properties"
# The pid may have been reused since the broker died: only signal our own broker.
if ! [[ "$pid" =~ ^[0-9]+$ ]] ||
  ! tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "kafka.Kafka $CONFIG"; then
  log "no broker running (stale pid file)"
  rm -f "$PID_FILE"
  exit 0
fi

if [[ "${1:-}" == "--kill" ]]; then
  kill -KILL "$pid"
  log "sent SIGKILL to broker $pid"
else
  kill -TERM "$pid"
  deadline=$((SECONDS + KAFKA_STOP_TIMEOUT_S))
  while is_alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if is_alive "$pid"; then
    log "broker $pid still running after ${KAFKA_STOP_TIMEOUT_S}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
fi
deadline=$((SECONDS + 5))
while is_alive "$pid" && ((SECONDS < deadline)); do
  sleep 0.1
done
rm -f "$PID_FILE"
log "stopped broker $pid"
