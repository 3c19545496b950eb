"""The quick start must fail clearly, not obscurely, on a machine without Python 3.10."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    # A PATH with bash and coreutils only, a HOME without pyenv: no Python 3.10 anywhere.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("bash", "sha256sum", "cut", "cat", "dirname", "printf", "seq", "sleep"):
        found = shutil.which(tool)
        if found:
            (bindir / tool).symlink_to(found)
    env = {"PATH": str(bindir), "HOME": str(tmp_path), "B12_VENV": str(tmp_path / "venv")}
    return subprocess.run(
        [shutil.which("bash"), "-c", f"source {ROOT}/scripts/common.sh && {script}"],
        capture_output=True, text=True, env=env, timeout=60,
    )


@pytest.mark.skipif(
    any(Path(p).exists() for p in ("/usr/bin/python3.10", "/usr/local/bin/python3.10")),
    reason="this machine has a system-wide python3.10, so 'missing' cannot be simulated",
)
def test_missing_python310_gives_clear_message(tmp_path):
    result = _run("ensure_venv", tmp_path)
    assert result.returncode != 0
    assert "Python 3.10 is required" in result.stderr
    assert "PYTHON310" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_python310_is_found_when_present(tmp_path):
    here = subprocess.run(["bash", "-c", f"source {ROOT}/scripts/common.sh && find_python310"],
                          capture_output=True, text=True, env={**os.environ}, timeout=60)
    if here.returncode != 0:
        pytest.skip("no Python 3.10 on this machine")
    version = subprocess.run([here.stdout.strip(), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("Python 3.10")


def test_training_fingerprint_changes_with_knowledge(tmp_path):
    """A changed knowledge base must retrain the model (stale models would mis-read phrases)."""
    work = tmp_path / "tree"
    shutil.copytree(ROOT / "scripts", work / "scripts")
    for item in ("config.yml", "domain.yml"):
        if (ROOT / item).exists():
            shutil.copy(ROOT / item, work / item)
    (work / "data").mkdir()
    (work / "bot" / "knowledge" / "data").mkdir(parents=True)
    (work / "bot" / "nlu").mkdir(parents=True)
    kb = work / "bot" / "knowledge" / "data" / "findings.yml"
    kb.write_text("a: 1\n")
    cmd = ["bash", "-c", f"source {work}/scripts/common.sh && training_fingerprint"]
    first = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    kb.write_text("a: 2\n")
    second = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert first.strip() and first != second
    # The NLU component's code lives with the Rasa adapters; changing it retrains too.
    component = work / "bot" / "rasa_adapters" / "nlu_component.py"
    component.parent.mkdir(parents=True)
    component.write_text("A = 1\n")
    third = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    component.write_text("A = 2\n")
    fourth = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert len({second, third, fourth}) == 3


def test_setup_refuses_to_install_into_a_directory_that_is_not_a_venv(tmp_path):
    """B12_VENV pointing at an interpreter's prefix must not rewrite that interpreter."""
    prefix = tmp_path / "not-a-venv"
    (prefix / "bin").mkdir(parents=True)
    result = subprocess.run(
        ["bash", "-c", f"source {ROOT}/scripts/common.sh && ensure_venv"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "B12_VENV": str(prefix)},
    )
    assert result.returncode != 0
    assert "not a virtual environment" in result.stderr
    assert sorted(p.name for p in prefix.iterdir()) == ["bin"]


@pytest.mark.parametrize(("level", "allowed", "ok"), [
    ("DEBUG", "", False), ("debug", "0", False), ("DEBUG", "1", True), ("INFO", "", True),
    ("", "", True),
])
def test_debug_logging_needs_an_explicit_yes(level, allowed, ok):
    """DEBUG logs hold people's messages: `make run` refuses it unless B12_LOG_MESSAGES=1."""
    env = {**os.environ, "LOG_LEVEL": level, "B12_LOG_MESSAGES": allowed}
    result = subprocess.run(
        ["bash", "-c", f"source {ROOT}/scripts/common.sh && check_log_level"],
        capture_output=True, text=True, timeout=60, env=env,
    )
    assert (result.returncode == 0) is ok
    if not ok:
        assert "B12_LOG_MESSAGES=1" in result.stderr
