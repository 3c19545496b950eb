"""The balancer's configuration (deploy/haproxy_config.py), without starting anything.

HAProxy itself checks the rendered text (``haproxy -c``) when it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

import haproxy_config  # noqa: E402

LAYOUT = haproxy_config.ClusterLayout(
    rasa=["127.0.0.1:5821", "127.0.0.1:5822"], actions=["127.0.0.1:5811"]
)


def _backend(text: str, name: str) -> str:
    block = text.split(f"\nbackend {name}\n", 1)[1]
    return block.split("\n\n", 1)[0]


def test_rasa_servers_are_checked_with_their_stores() -> None:
    text = haproxy_config.render(LAYOUT)
    rest = _backend(text, "rasa")
    assert "http-check send meth GET uri /webchat/health" in rest
    assert "server rasa1 127.0.0.1:5821 check" in rest
    assert "server rasa2 127.0.0.1:5822 check" in rest
    # Listed again as backups, for when no server passes (the stores are down).
    assert "server live1 127.0.0.1:5821 backup track rasa_live/live1" in rest
    assert "http-check send meth GET uri /\n" in _backend(text, "rasa_live")


def test_socketio_is_sticky_and_rest_is_not() -> None:
    text = haproxy_config.render(LAYOUT)
    assert "use_backend rasa_socketio if { path_beg /socket.io/ }" in text
    sticky = _backend(text, "rasa_socketio")
    assert "cookie B12_SERVER insert" in sticky
    assert "track rasa/rasa1 cookie r1" in sticky
    assert "cookie" not in _backend(text, "rasa")


def test_only_turns_that_cannot_run_twice_are_sent_again() -> None:
    text = haproxy_config.render(LAYOUT)
    assert "retry-on conn-failure empty-response\n" in text
    assert "response-timeout" not in text


def test_a_layout_without_servers_is_refused() -> None:
    with pytest.raises(ValueError, match="Rasa server"):
        haproxy_config.render(haproxy_config.ClusterLayout(actions=["127.0.0.1:1"]))
    with pytest.raises(ValueError, match="action server"):
        haproxy_config.render(haproxy_config.ClusterLayout(rasa=["127.0.0.1:1"]))
    assert haproxy_config.main(["--actions", "127.0.0.1:1"]) == 2


def test_haproxy_accepts_the_configuration(tmp_path: Path) -> None:
    binary = shutil.which("haproxy")
    if binary is None and Path("/usr/sbin/haproxy").exists():
        binary = "/usr/sbin/haproxy"
    if binary is None:
        pytest.skip("HAProxy is not installed (apt-get install haproxy)")
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config.render(LAYOUT))
    checked = subprocess.run([binary, "-c", "-f", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
