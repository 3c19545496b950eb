#!/usr/bin/env bash
# Browser tests of the web chat: Debian's Chromium driven by playwright-core
# against the real assistant (action server + `rasa run` with the web channel)
# on free local ports. Exits non-zero when a test fails.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$CHROMIUM" ] && [ "${CI:-}" = "true" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "Installing Chromium (Debian package) for the browser tests"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  CHROMIUM="$(command -v chromium || true)"
fi
missing=""
[ -n "$CHROMIUM" ] || missing="chromium (apt-get install chromium)"
command -v node >/dev/null || missing="$missing node"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
  [ "${CI:-}" = "true" ] && die "browser tests need: $missing"
  echo "SKIPPED browser tests: not installed here: $missing"
  exit 0
fi
[ -f "$MODEL" ] || die "no trained model at $MODEL (run: make train)"

log "Installing the browser test tools (npm ci in tests/browser)"
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
RUN_DIR="$(mktemp -d)"
ACTIONS_PORT="$(free_port)"
RASA_PORT="$(free_port)"
RASA_PID=""
cleanup() {
  if [ -n "$RASA_PID" ] && kill -0 "$RASA_PID" 2>/dev/null; then
    kill "$RASA_PID" 2>/dev/null || true
    wait "$RASA_PID" 2>/dev/null || true
  fi
  stop_action_server
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

mkdir -p "$ROOT/test-artifacts/browser" "$ROOT/var"
# A database of their own, so that the tests start from nothing and leave nothing.
export B12_DATABASE_URL="sqlite:///$RUN_DIR/b12.db"
unset B12_REDIS_URL
ACTIONS_LOG="$ROOT/test-artifacts/browser/actions.log" start_action_server
log "Starting the assistant with the web chat on 127.0.0.1:$RASA_PORT"
"$PY" -m bot.rasa_adapters.server run --model "$MODEL" --endpoints endpoints.yml \
  --credentials credentials.yml --interface 127.0.0.1 --port "$RASA_PORT" \
  > "$ROOT/test-artifacts/browser/rasa.log" 2>&1 &
RASA_PID=$!
ready=""
for _ in $(seq 1 300); do
  if "$PY" - "$RASA_PORT" <<'PYEOF' 2>/dev/null; then ready=1; break; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/webchat/health", timeout=1)
PYEOF
  kill -0 "$RASA_PID" 2>/dev/null || break
  sleep 1
done
if [ -z "$ready" ]; then
  tail -n 40 "$ROOT/test-artifacts/browser/rasa.log" >&2
  die "the assistant did not start (log: test-artifacts/browser/rasa.log)"
fi

log "Running the browser tests (screenshots in test-artifacts/browser/)"
rc=0
(cd tests/browser && WEBCHAT_URL="http://127.0.0.1:$RASA_PORT/webchat/" CHROMIUM="$CHROMIUM" \
  node --test --test-concurrency=1 chat.test.mjs) || rc=$?
exit "$rc"
