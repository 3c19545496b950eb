#!/usr/bin/env bash
# Every check the project has, in order of cost. Exits non-zero on any failure.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mkdir -p "$ROOT/var" "$ROOT/results"
cd "$ROOT"
ensure_venv

run_pytest() {
  # pytest exits 5 when it collected nothing: that is a failure here.
  local rc=0
  "$PY" -m pytest "$@" || rc=$?
  if [ "$rc" -eq 5 ]; then die "pytest collected no tests for: $*"; fi
  return "$rc"
}

log "Lint (ruff)"
"$VENV/bin/ruff" check bot actions tests bench

log "Unit, property and evaluation tests"
run_pytest -m "not slow" -q

log "Training data validation"
"$VENV/bin/rasa" data validate --fail-on-warnings --quiet

ensure_model

log "Conversation tests (rasa test --stories tests/)"
trap stop_action_server EXIT
ACTIONS_LOG="$ROOT/results/actions.log" start_action_server
rm -rf results/core
"$VENV/bin/rasa" test core --stories tests/ --model "$MODEL" --endpoints endpoints.yml \
  --out results/core --fail-on-prediction-errors --quiet
stop_action_server
trap - EXIT

if [ -f scripts/browser_tests.sh ]; then
  log "Browser tests (web chat in Chromium)"
  bash scripts/browser_tests.sh
fi

log "Slow tests (Rasa model with the clinical extractor, intent cross-validation)"
run_pytest -m slow -q

log "All checks passed"
