#!/usr/bin/env bash
# Chat with the assistant in the terminal: `rasa shell` against the same model,
# action server and database as `make run`, listening on 127.0.0.1 only.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
prepare_to_serve
check_storage
trap stop_action_server EXIT
start_action_server
"$PY" -m bot.rasa_adapters.server shell --model "$MODEL" --endpoints endpoints.yml \
  --interface 127.0.0.1 --port "${B12_PORT:-5005}"
