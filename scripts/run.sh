#!/usr/bin/env bash
# Set up everything on first use, then serve the web chat (and any messaging
# platform configured in the environment) on http://localhost:5005/webchat/.
# For the terminal instead: `make shell`.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mkdir -p "$ROOT/var"
cd "$ROOT"
ensure_venv
ensure_model

PORT="${B12_PORT:-5005}"
HOST="${B12_HOST:-127.0.0.1}"
CREDENTIALS="$ROOT/var/credentials.yml"
"$PY" -m bot.channels.credentials > "$CREDENTIALS" || die "fix the channel variables above (see docs/channels.md)"
check_storage
rasa_security_args

RASA_PID=""
cleanup() {
  if [ -n "$RASA_PID" ] && kill -0 "$RASA_PID" 2>/dev/null; then
    kill "$RASA_PID" 2>/dev/null || true
    wait "$RASA_PID" 2>/dev/null || true
  fi
  stop_action_server
}
trap cleanup EXIT INT TERM
start_action_server

log "Starting the assistant on $HOST:$PORT (about a minute to load)"
"$VENV/bin/rasa" run --model "$MODEL" --endpoints endpoints.yml --credentials "$CREDENTIALS" \
  --interface "$HOST" --port "$PORT" ${RASA_SECURITY_ARGS[@]+"${RASA_SECURITY_ARGS[@]}"} \
  > "$ROOT/var/rasa.log" 2>&1 &
RASA_PID=$!

for _ in $(seq 1 300); do
  if "$PY" - "$HOST" "$PORT" <<'PYEOF' 2>/dev/null; then break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://{sys.argv[1]}:{sys.argv[2]}/webchat/health", timeout=1)
PYEOF
  kill -0 "$RASA_PID" 2>/dev/null || { tail -n 40 "$ROOT/var/rasa.log" >&2; die "the assistant exited (log: var/rasa.log)"; }
  sleep 1
done

URL="http://localhost:$PORT/webchat/"
[ "$HOST" = "127.0.0.1" ] || [ "$HOST" = "localhost" ] || URL="http://$HOST:$PORT/webchat/"
printf '\n  \033[1mThe B12 check is ready. Open %s in your browser.\033[0m\n' "$URL"
platforms="$(grep -oE '^bot\.channels\.platforms\.[A-Za-z]+' "$CREDENTIALS" | sed 's/.*\.//; s/Channel$//' | tr '\n' ' ')"
[ -n "$platforms" ] && printf '  Messaging platforms on: %s(webhooks under /webhooks/)\n' "$platforms"
printf '  Terminal chat instead: make shell. Logs: var/rasa.log, var/actions.log. Stop with Ctrl+C.\n\n'
wait "$RASA_PID"
