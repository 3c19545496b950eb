"""The HAProxy configuration of a B12 cluster: ``python deploy/haproxy_config.py ...``.

One balancer in front of N Rasa servers and M action servers (docs/operations.md,
"Running more than one server"). ``scripts/cluster.sh`` renders it for the servers it
starts on one machine; on several machines, render it with their addresses::

    python deploy/haproxy_config.py --listen 0.0.0.0:80 \\
        --rasa 10.0.0.11:5005 --rasa 10.0.0.12:5005 \\
        --actions 10.0.0.21:5055 --actions-listen 10.0.0.10:5055 > /etc/haproxy/haproxy.cfg

What the configuration does, and why:

* **Health includes the stores.** A Rasa server is in rotation only while its
  ``/webchat/health`` answers 200, which needs the model loaded, the database and
  Redis reachable from that server; checked every second, out after two failures.
  A server that cannot keep a conversation must not be given one.
* **The stores down everywhere is not a dead end.** Each Rasa server is listed a
  second time as a backup checked for life only (``GET /``). When no server passes
  the full check (the database or Redis is down for all of them) the live servers
  still get the turns, and each person hears the assistant's own "I can't save or
  continue right now", with emergency advice first when their message reads as an
  emergency, instead of the balancer's bare 503.
* **Sticky Socket.IO, free REST.** The web chat's Socket.IO session (``/socket.io/``)
  lives in one server process: its long-polling requests must all reach the process
  that opened the session, so that backend inserts a cookie naming the server (a
  browser keeps it; other Socket.IO clients must keep cookies too, or connect with
  the WebSocket transport only, one connection per session). The page, REST
  and platform webhooks keep no state in a server (conversations are in the
  database, turns are serialised by Redis locks) and go to the least busy server.
* **A dead server costs a person at most a slower turn.** A request that could not
  be sent, or whose server closed the connection without answering (killed
  mid-turn), is sent again to another server (``retry-on conn-failure
  empty-response`` with redispatch). A turn that timed out is never re-sent: it may
  still be running.
* **Action servers** are stateless (Rasa sends the whole conversation with each
  call) and balanced freely on their own port, reachable from the Rasa servers only.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

# A turn may wait for an action (B12_ACTIONS_TIMEOUT, 20 s) and a conversation lock.
SERVER_TIMEOUT_S = 60
# Each Rasa server works on this many REST/webhook requests at once; the rest wait in
# the balancer's queue, from which they go to whichever server frees up first.
REST_MAXCONN = 16
# The health check shares the server's event loop with the turns it is running.
CHECK_TIMEOUT_S = 5


@dataclass
class ClusterLayout:
    """Where the balancer listens and where its servers are."""

    listen: str = "127.0.0.1:5800"
    stats: str | None = "127.0.0.1:5801"
    actions_listen: str = "127.0.0.1:5802"
    rasa: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    check_interval_ms: int = 1000
    rest_maxconn: int = REST_MAXCONN
    error_file: str = str(Path(__file__).resolve().parent / "errors" / "503.http")


def _rasa_servers(layout: ClusterLayout, backend: str) -> list[str]:
    """The server lines of a Rasa backend: each server, then each as a backup."""
    lines = []
    for i, address in enumerate(layout.rasa, start=1):
        if backend == "rasa":
            lines.append(f"    server rasa{i} {address} check maxconn {layout.rest_maxconn}")
        else:  # one health check per server: the other backend follows it
            lines.append(f"    server rasa{i} {address} track rasa/rasa{i} cookie r{i}")
    for i, address in enumerate(layout.rasa, start=1):
        # Alive (model loaded, port open) but failing the full check: used only when
        # no server passes it, so that the assistant itself explains the outage.
        cookie = f" cookie l{i}" if backend == "rasa_socketio" else ""
        limit = f" maxconn {layout.rest_maxconn}" if backend == "rasa" else ""
        lines.append(f"    server live{i} {address} backup track rasa_live/live{i}{limit}{cookie}")
    return lines


def render(layout: ClusterLayout) -> str:
    """The configuration text for ``layout``."""
    if not layout.rasa:
        raise ValueError("at least one Rasa server is needed (--rasa HOST:PORT)")
    if not layout.actions:
        raise ValueError("at least one action server is needed (--actions HOST:PORT)")
    inter = layout.check_interval_ms
    stats = ""
    if layout.stats:
        stats = f"""
# Status of every server (HTML; CSV at /;csv). Keep it on a private address.
listen stats
    bind {layout.stats}
    stats enable
    stats uri /
    stats refresh 5s
    stats show-legends
"""
    actions = "\n".join(
        f"    server actions{i} {address} check" for i, address in enumerate(layout.actions, 1)
    )
    live = "\n".join(
        f"    server live{i} {address} check" for i, address in enumerate(layout.rasa, 1)
    )
    return f"""# Generated by deploy/haproxy_config.py; see that file and docs/operations.md.
global
    log stdout format raw local0 info
    maxconn 4096
    # Ctrl+C / SIGTERM of the cluster: open connections get this long to finish.
    hard-stop-after 10s

defaults
    mode http
    log global
    option httplog
    option dontlognull
    timeout connect 2s
    timeout client {SERVER_TIMEOUT_S}s
    timeout server {SERVER_TIMEOUT_S}s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout queue 30s
    # A busy server answers its health check late, not never: only a server that
    # cannot answer in this long is taken out (a dead one refuses at once).
    timeout check {CHECK_TIMEOUT_S}s
    # An open web chat (WebSocket) may stay idle for a long time.
    timeout tunnel 1h
    retries 3
    option redispatch 1
    # Only retries that cannot run a turn twice: the request never reached a server,
    # or its server died (connection closed with no answer) while working on it.
    retry-on conn-failure empty-response
    default-server inter {inter} fastinter {max(inter // 2, 100)} downinter {inter * 2} \
fall 2 rise 2 observe layer4 error-limit 3 on-error mark-down
    errorfile 503 {layout.error_file}

frontend b12
    bind {layout.listen}
    option forwardfor
    http-request set-header X-Forwarded-Proto https if {{ ssl_fc }}
    use_backend rasa_socketio if {{ path_beg /socket.io/ }}
    default_backend rasa

# The page, REST and platform webhooks: any server.
backend rasa
    balance leastconn
    option allbackups
    option httpchk
    http-check send meth GET uri /webchat/health
    http-check expect status 200
{chr(10).join(_rasa_servers(layout, "rasa"))}

# The web chat's Socket.IO sessions: the server that opened the session.
backend rasa_socketio
    balance leastconn
    option allbackups
    cookie B12_SERVER insert indirect nocache httponly attr "SameSite=Lax"
{chr(10).join(_rasa_servers(layout, "rasa_socketio"))}

# Liveness only (the port answers): decides when the backups above may be used.
backend rasa_live
    option httpchk
    http-check send meth GET uri /
    http-check expect status 200
{live}

# Action servers: only the Rasa servers call them (endpoints.yml, B12_ACTIONS_URL).
listen actions
    bind {layout.actions_listen}
    balance leastconn
    option httpchk
    http-check send meth GET uri /health
    http-check expect status 200
{actions}
{stats}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:5800",
                        help="address:port for the web chat, REST and webhooks")
    parser.add_argument("--stats", default="127.0.0.1:5801",
                        help="address:port of the status page ('' for none)")
    parser.add_argument("--actions-listen", default="127.0.0.1:5802",
                        help="address:port the Rasa servers call the action servers on")
    parser.add_argument("--rasa", action="append", default=[], metavar="HOST:PORT")
    parser.add_argument("--actions", action="append", default=[], metavar="HOST:PORT")
    parser.add_argument("--check-interval-ms", type=int, default=1000)
    args = parser.parse_args(argv)
    layout = ClusterLayout(
        listen=args.listen,
        stats=args.stats or None,
        actions_listen=args.actions_listen,
        rasa=args.rasa,
        actions=args.actions,
        check_interval_ms=args.check_interval_ms,
    )
    try:
        sys.stdout.write(render(layout))
    except ValueError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
