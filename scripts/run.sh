#!/usr/bin/env bash
# Set up everything on first use, then serve the web chat (and any messaging
# platform configured in the environment) on http://localhost:5005/webchat/
# until Ctrl+C or SIGTERM, which stop both servers and end with status 0.
# For the terminal instead: `make shell`.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
prepare_to_serve

PORT="${B12_PORT:-5005}"
HOST="${B12_HOST:-127.0.0.1}"
CREDENTIALS="$VAR_DIR/credentials.yml"
RASA_LOG="$VAR_DIR/rasa.log"
# The file names each channel's variables (${TELEGRAM_TOKEN}, ...); Rasa reads
# their values from the environment, so no secret is written to disk.
"$PY" -m bot.channels.credentials > "$CREDENTIALS" || die "fix the channel variables above (see docs/channels.md)"
platforms="$("$PY" -m bot.channels.credentials --list)"
check_storage
rasa_security_args

RASA_PID=""
cleanup() {
  if [ -n "$RASA_PID" ] && kill -0 "$RASA_PID" 2>/dev/null; then
    kill "$RASA_PID" 2>/dev/null || true
    wait "$RASA_PID" 2>/dev/null || true
  fi
  RASA_PID=""
  stop_action_server
}
# Ctrl+C and SIGTERM are the normal way to stop: both servers go, and so does the script, cleanly.
stop_requested() {
  trap - INT TERM
  printf '\n' >&2
  log "Stopping the assistant"
  cleanup
  exit 0
}
trap cleanup EXIT
trap stop_requested INT TERM
start_action_server

start_rasa() {
  "$PY" -m bot.rasa_adapters.server run --model "$MODEL" --endpoints endpoints.yml --credentials "$CREDENTIALS" \
    --interface "$HOST" --port "$PORT" ${RASA_SECURITY_ARGS[@]+"${RASA_SECURITY_ARGS[@]}"} \
    >> "$RASA_LOG" 2>&1 &
  RASA_PID=$!
  local _
  for _ in $(seq 1 300); do
    if "$PY" - "$HOST" "$PORT" <<'PYEOF' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(f"http://{sys.argv[1]}:{sys.argv[2]}/webchat/health", timeout=1)
PYEOF
    kill -0 "$RASA_PID" 2>/dev/null || { tail -n 40 "$RASA_LOG" >&2; die "the assistant exited (log: $RASA_LOG)"; }
    sleep 1
  done
  tail -n 40 "$RASA_LOG" >&2
  die "the assistant did not become ready within 300 s (log: $RASA_LOG)"
}

log "Starting the assistant on $HOST:$PORT (about a minute to load)"
: > "$RASA_LOG"
start_rasa

URL="http://localhost:$PORT/webchat/"
[ "$HOST" = "127.0.0.1" ] || [ "$HOST" = "localhost" ] || URL="http://$HOST:$PORT/webchat/"
printf '\n  \033[1mThe B12 check is ready. Open %s in your browser.\033[0m\n' "$URL"
if [ -n "$platforms" ]; then
  printf '  Messaging platforms on: %s (webhooks under /webhooks/)\n' "$platforms"
fi
printf '  Terminal chat instead: make shell. Logs: %s, %s. Stop with Ctrl+C.\n\n' \
  "$RASA_LOG" "$ACTIONS_LOG"

# Supervise: a server that dies is started again (conversations are in the database,
# so nobody loses their place), at most MAX_RESTARTS times in RESTART_WINDOW seconds.
MAX_RESTARTS="${B12_MAX_RESTARTS:-5}"
RESTART_WINDOW=600
restarts=()
while true; do
  wait -n "$RASA_PID" "$ACTIONS_PID" 2>/dev/null || true
  now="$(date +%s)"
  recent=()
  for t in ${restarts[@]+"${restarts[@]}"}; do
    [ $((now - t)) -lt "$RESTART_WINDOW" ] && recent+=("$t")
  done
  restarts=(${recent[@]+"${recent[@]}"})
  if [ "${#restarts[@]}" -ge "$MAX_RESTARTS" ]; then
    tail -n 40 "$RASA_LOG" >&2
    die "a server stopped $MAX_RESTARTS times in $RESTART_WINDOW s; giving up (logs: $RASA_LOG, $ACTIONS_LOG)"
  fi
  if ! kill -0 "$ACTIONS_PID" 2>/dev/null; then
    restarts+=("$now")
    log "The action server stopped unexpectedly; starting it again"
    start_action_server
  fi
  if ! kill -0 "$RASA_PID" 2>/dev/null; then
    restarts+=("$now")
    log "The assistant stopped unexpectedly; starting it again (about a minute)"
    start_rasa
    log "The assistant is ready again"
  fi
done
