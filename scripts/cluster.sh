#!/usr/bin/env bash
# `make cluster N=2 M=2`: the assistant scaled out on this machine. An HAProxy balancer
# (deploy/haproxy_config.py) in front of N Rasa servers and M action servers, all on
# PostgreSQL and Redis, until Ctrl+C or SIGTERM, which stop every process started here
# and end with status 0. A server that dies is started again; the balancer sends its
# people to the others meanwhile. Several machines: docs/operations.md.
#
# Ports (B12_CLUSTER_PORT, default 5800): the balancer on PORT (B12_CLUSTER_HOST,
# default 127.0.0.1), its status page on PORT+1, the action servers' balancer on PORT+2,
# action server i on PORT+10+i, Rasa server i on PORT+20+i (all on 127.0.0.1).
# Storage: B12_DATABASE_URL (default: database b12_cluster on the local PostgreSQL,
# created when missing) and B12_REDIS_URL (default redis://127.0.0.1:6379/3).
# Files: B12_CLUSTER_DIR (default var/cluster): the configuration, logs and pid files.
# Model: B12_MODEL (default models/b12.tar.gz, retrained when its inputs changed).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

REPLICAS="${1:-${B12_CLUSTER_REPLICAS:-2}}"
ACTION_SERVERS="${2:-${B12_CLUSTER_ACTIONS:-2}}"
MAX_SERVERS=8
for value in "$REPLICAS" "$ACTION_SERVERS"; do
  if ! [[ "$value" =~ ^[0-9]+$ ]] || [ "$value" -lt 1 ] || [ "$value" -gt "$MAX_SERVERS" ]; then
    die "N (Rasa servers) and M (action servers) must be whole numbers from 1 to $MAX_SERVERS, e.g. make cluster N=2 M=2"
  fi
done
BASE_PORT="${B12_CLUSTER_PORT:-5800}"
[[ "$BASE_PORT" =~ ^[0-9]+$ ]] && [ "$BASE_PORT" -ge 1024 ] && [ "$BASE_PORT" -le 65400 ] \
  || die "B12_CLUSTER_PORT must be a port number from 1024 to 65400"
LB_HOST="${B12_CLUSTER_HOST:-127.0.0.1}"
STATS_PORT=$((BASE_PORT + 1))
ACTIONS_LB_PORT=$((BASE_PORT + 2))
actions_port() { echo $((BASE_PORT + 10 + $1)); }
rasa_port() { echo $((BASE_PORT + 20 + $1)); }
CLUSTER_DIR="${B12_CLUSTER_DIR:-$VAR_DIR/cluster}"
MAX_RESTARTS="${B12_MAX_RESTARTS:-5}"
[[ "$MAX_RESTARTS" =~ ^[0-9]+$ ]] || die "B12_MAX_RESTARTS must be a whole number (0: never restart a server)"
RESTART_WINDOW=600

HAPROXY="${B12_HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}"
[ -x "$HAPROXY" ] || die "HAProxy is not installed. On Debian or Ubuntu: sudo apt-get install haproxy (or set B12_HAPROXY to its path)"

# Storage shared by every server: PostgreSQL and Redis, never the SQLite default.
if [ -z "${B12_DATABASE_URL:-}" ]; then
  export B12_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/b12_cluster"
  CREATE_DATABASE=1
fi
case "$B12_DATABASE_URL" in
  postgresql://*) ;;
  *) die "several Rasa servers need one PostgreSQL database: set B12_DATABASE_URL=postgresql://user:password@host:5432/dbname" ;;
esac
export B12_REDIS_URL="${B12_REDIS_URL:-redis://127.0.0.1:6379/3}"
# The servers are the unit of parallelism: each Rasa server's TensorFlow runs its
# operations on one thread instead of a pool per core that every server would share.
export TF_INTRA_OP_PARALLELISM_THREADS="${TF_INTRA_OP_PARALLELISM_THREADS:-1}"
export TF_INTER_OP_PARALLELISM_THREADS="${TF_INTER_OP_PARALLELISM_THREADS:-1}"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports=("$BASE_PORT" "$STATS_PORT" "$ACTIONS_LB_PORT")
for i in $(seq 1 "$ACTION_SERVERS"); do ports+=("$(actions_port "$i")"); done
for i in $(seq 1 "$REPLICAS"); do ports+=("$(rasa_port "$i")"); done
for port in "${ports[@]}"; do
  port_in_use "$port" && die "port $port is already in use (another cluster?); choose other ports with B12_CLUSTER_PORT (ports PORT to PORT+$((20 + MAX_SERVERS)) are used)"
done

ensure_var_dir
check_log_level
ensure_venv
# B12_MODEL: serve this trained model as it is (the same file on every machine);
# unset: models/b12.tar.gz, trained first when its inputs changed.
if [ -n "${B12_MODEL:-}" ]; then
  [ -f "$B12_MODEL" ] || die "B12_MODEL=$B12_MODEL is not a file"
  MODEL="$(cd "$(dirname "$B12_MODEL")" && pwd)/$(basename "$B12_MODEL")"
else
  ensure_model
fi
mkdir -p "$CLUSTER_DIR"
chmod 700 "$CLUSTER_DIR"

if [ -n "${CREATE_DATABASE:-}" ]; then
  "$PY" - "$B12_DATABASE_URL" <<'PYEOF' || die "cannot prepare the cluster's database (is PostgreSQL running on 127.0.0.1:5432?)"
import sys
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1])
try:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    with admin.connect() as connection:
        known = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                   {"n": url.database}).scalar()
        if not known:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
            print(f"==> Created the database {url.database}", file=sys.stderr)
    admin.dispose()
except Exception as error:  # noqa: BLE001 - reported in one line, not a traceback
    print(f"error: PostgreSQL at {url.host}:{url.port or 5432}: {type(error).__name__}",
          file=sys.stderr)
    sys.exit(1)
PYEOF
fi
check_storage
"$PY" -m bot db upgrade >/dev/null || die "the database migrations failed (see above)"

# One secret for this start, known to the Rasa servers and the action servers only.
if [ -z "${B12_ACTIONS_TOKEN:-}" ]; then
  B12_ACTIONS_TOKEN="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
fi
export B12_ACTIONS_TOKEN
export B12_ACTIONS_URL="http://127.0.0.1:$ACTIONS_LB_PORT/webhook"
CREDENTIALS="$CLUSTER_DIR/credentials.yml"
"$PY" -m bot.channels.credentials > "$CREDENTIALS" || die "fix the channel variables above (see docs/channels.md)"
rasa_security_args

HAPROXY_CFG="$CLUSTER_DIR/haproxy.cfg"
layout=(--listen "$LB_HOST:$BASE_PORT" --stats "127.0.0.1:$STATS_PORT"
        --actions-listen "127.0.0.1:$ACTIONS_LB_PORT")
for i in $(seq 1 "$REPLICAS"); do layout+=(--rasa "127.0.0.1:$(rasa_port "$i")"); done
for i in $(seq 1 "$ACTION_SERVERS"); do layout+=(--actions "127.0.0.1:$(actions_port "$i")"); done
"$PY" deploy/haproxy_config.py "${layout[@]}" > "$HAPROXY_CFG"
"$HAPROXY" -c -q -f "$HAPROXY_CFG" || die "HAProxy refused $HAPROXY_CFG (see above)"

declare -A PID_OF=()
started_at=()

start_actions() {
  local i="$1"
  (B12_ACTIONS_HOST=127.0.0.1 B12_ACTIONS_PORT="$(actions_port "$i")" exec "$PY" -m actions.server) \
    >> "$CLUSTER_DIR/actions-$i.log" 2>&1 &
  PID_OF["actions-$i"]=$!
  echo "$!" > "$CLUSTER_DIR/actions-$i.pid"
}

start_rasa() {
  local i="$1"
  "$PY" -m bot.rasa_adapters.server run --model "$MODEL" --endpoints endpoints.yml \
    --credentials "$CREDENTIALS" --interface 127.0.0.1 --port "$(rasa_port "$i")" \
    ${RASA_SECURITY_ARGS[@]+"${RASA_SECURITY_ARGS[@]}"} >> "$CLUSTER_DIR/rasa-$i.log" 2>&1 &
  PID_OF["rasa-$i"]=$!
  echo "$!" > "$CLUSTER_DIR/rasa-$i.pid"
}

start_haproxy() {
  "$HAPROXY" -db -f "$HAPROXY_CFG" >> "$CLUSTER_DIR/balancer.log" 2>&1 &
  PID_OF[balancer]=$!
  echo "$!" > "$CLUSTER_DIR/balancer.pid"
}

# TERM to everything, balancer first (no new turns), then the Rasa servers (their turns
# finish), then the action servers; anything still running after 30 s is killed.
STOPPING=""
stop_all() {
  [ -n "$STOPPING" ] && return 0
  STOPPING=1
  local name pids=()
  for name in balancer $(printf '%s\n' "${!PID_OF[@]}" | grep '^rasa-') \
      $(printf '%s\n' "${!PID_OF[@]}" | grep '^actions-'); do
    [ -n "${PID_OF[$name]:-}" ] || continue
    kill -TERM "${PID_OF[$name]}" 2>/dev/null && pids+=("${PID_OF[$name]}")
  done
  if [ "${#pids[@]}" -gt 0 ]; then
    local deadline=$((SECONDS + 30)) pid state running
    while [ "$SECONDS" -lt "$deadline" ]; do
      running=0
      for pid in "${pids[@]}"; do
        state="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
        [ -n "$state" ] && [ "${state:0:1}" != Z ] && running=1
      done
      [ "$running" = 0 ] && break
      sleep 0.2
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  rm -f "$CLUSTER_DIR"/*.pid
}
stop_requested() {
  trap - INT TERM
  printf '\n' >&2
  log "Stopping the cluster"
  stop_all
  exit 0
}
trap stop_all EXIT
trap stop_requested INT TERM

wait_healthy() {  # name url timeout
  local name="$1" url="$2" timeout="$3" _
  for _ in $(seq 1 "$timeout"); do
    if "$PY" - "$url" <<'PYEOF' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2)
PYEOF
    if ! kill -0 "${PID_OF[$name]}" 2>/dev/null; then
      tail -n 30 "$CLUSTER_DIR/$name.log" >&2
      die "$name exited (log: $CLUSTER_DIR/$name.log)"
    fi
    sleep 1
  done
  tail -n 30 "$CLUSTER_DIR/$name.log" >&2
  die "$name was not ready within $timeout s (log: $CLUSTER_DIR/$name.log)"
}

log "Starting $ACTION_SERVERS action server(s) and $REPLICAS Rasa server(s) (about a minute or two)"
for i in $(seq 1 "$ACTION_SERVERS"); do start_actions "$i"; done
for i in $(seq 1 "$REPLICAS"); do start_rasa "$i"; done
start_haproxy
for i in $(seq 1 "$ACTION_SERVERS"); do
  wait_healthy "actions-$i" "http://127.0.0.1:$(actions_port "$i")/health" 120
done
for i in $(seq 1 "$REPLICAS"); do
  wait_healthy "rasa-$i" "http://127.0.0.1:$(rasa_port "$i")/webchat/health" 400
done
wait_healthy balancer "http://127.0.0.1:$BASE_PORT/webchat/health" 30

URL="http://localhost:$BASE_PORT/webchat/"
[ "$LB_HOST" = "127.0.0.1" ] || [ "$LB_HOST" = "localhost" ] || URL="http://$LB_HOST:$BASE_PORT/webchat/"
printf '\n  \033[1mThe B12 cluster is ready: %s (%s Rasa, %s action servers).\033[0m\n' \
  "$URL" "$REPLICAS" "$ACTION_SERVERS"
printf '  Balancer status: http://127.0.0.1:%s/  Files and logs: %s. Stop with Ctrl+C.\n\n' \
  "$STATS_PORT" "$CLUSTER_DIR"

# Supervise: a server that dies is started again in the background (the balancer
# leaves it out until its health check passes), at most MAX_RESTARTS times in
# RESTART_WINDOW seconds; a balancer that dies ends the cluster.
while true; do
  wait -n "${PID_OF[@]}" 2>/dev/null || true
  kill -0 "${PID_OF[balancer]}" 2>/dev/null || { tail -n 20 "$CLUSTER_DIR/balancer.log" >&2; die "the balancer stopped (log: $CLUSTER_DIR/balancer.log)"; }
  now="$(date +%s)"
  recent=()
  for t in ${started_at[@]+"${started_at[@]}"}; do
    [ $((now - t)) -lt "$RESTART_WINDOW" ] && recent+=("$t")
  done
  started_at=(${recent[@]+"${recent[@]}"})
  for name in "${!PID_OF[@]}"; do
    [ "$name" = balancer ] && continue
    kill -0 "${PID_OF[$name]}" 2>/dev/null && continue
    wait "${PID_OF[$name]}" 2>/dev/null || true
    if [ "$MAX_RESTARTS" = 0 ]; then  # restarts left to an outside supervisor
      log "$name stopped; the others carry on (B12_MAX_RESTARTS=0: not started again)"
      unset "PID_OF[$name]"
      continue
    fi
    if [ "${#started_at[@]}" -ge "$MAX_RESTARTS" ]; then
      die "servers stopped $MAX_RESTARTS times in $RESTART_WINDOW s; giving up (logs: $CLUSTER_DIR)"
    fi
    started_at+=("$now")
    log "$name stopped unexpectedly; starting it again"
    case "$name" in
      rasa-*) start_rasa "${name#rasa-}" ;;
      actions-*) start_actions "${name#actions-}" ;;
    esac
  done
done
