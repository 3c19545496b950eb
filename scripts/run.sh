#!/usr/bin/env bash
# Set up everything on first use, then talk to the assistant in the terminal.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mkdir -p "$ROOT/var"
ensure_venv
ensure_model
trap stop_action_server EXIT
start_action_server
log "Starting the assistant (type /stop to quit)"
cd "$ROOT"
"$VENV/bin/rasa" shell --model "$MODEL" --endpoints endpoints.yml
