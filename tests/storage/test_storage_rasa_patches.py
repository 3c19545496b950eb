"""The fixes to Rasa internals: installed from one place, and re-examined on any Rasa change.

Each fix replaces a function of Rasa 3.6.21. The functions' source is read from
the installed Rasa's files (not from the live objects, which a fix may already
have replaced) and compared with the source the fix was written against; a
Rasa upgrade that changes one fails here, naming the fix to look at again.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from bot.rasa_adapters.patches import PATCHES, RASA_VERSION

ROOT = Path(__file__).resolve().parents[2]

# sha256 (first 16 hex digits) of each replaced function's source in Rasa 3.6.21.
WRITTEN_AGAINST = {
    "rasa.core.actions.action.RemoteAction.run": "3ba8c67f78cdce96",
    "rasa.core.actions.action.RemoteAction._validate_action_result": "7714afb4250b7f8b",
    "rasa.shared.core.events.Event.resolve_by_type": "9090173466917e7a",
}


def source_of(target: str) -> str:
    module, cls, function = target.rsplit(".", 2)
    path = Path(importlib.util.find_spec(module).origin)
    text = path.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ClassDef) and node.name == cls:
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                        and item.name == function:
                    return ast.get_source_segment(text, item, padded=True)
    raise AssertionError(f"{target} is not in {path}: Rasa changed, see {module}")


def test_every_patch_is_listed_and_documented() -> None:
    assert {p.target for p in PATCHES} == set(WRITTEN_AGAINST)
    operations = (ROOT / "docs" / "operations.md").read_text()
    for patch in PATCHES:
        assert patch.module in operations and patch.target in operations


@pytest.mark.parametrize("target", sorted(WRITTEN_AGAINST))
def test_the_replaced_rasa_function_is_the_one_the_fix_was_written_for(target: str) -> None:
    import rasa

    assert rasa.__version__ == RASA_VERSION
    digest = hashlib.sha256(source_of(target).encode()).hexdigest()[:16]
    assert digest == WRITTEN_AGAINST[target], (
        f"{target} changed in Rasa {rasa.__version__}: check the fix that replaces it "
        f"({next(p.module for p in PATCHES if p.target == target)}) before updating the digest"
    )


def test_the_launcher_installs_every_fix_and_nothing_else_does() -> None:
    """Only bot.rasa_adapters.server installs them; the stores and the component do not."""
    code = (
        "import sys\n"
        "from rasa.core.actions.action import RemoteAction\n"
        "from rasa.shared.core.events import Event\n"
        "before = (RemoteAction.run, RemoteAction._validate_action_result, "
        "Event.__dict__['resolve_by_type'])\n"
        "import bot.rasa_adapters.tracker_store, bot.rasa_adapters.lock_store\n"
        "import bot.rasa_adapters.nlu_component\n"
        "same = before == (RemoteAction.run, RemoteAction._validate_action_result, "
        "Event.__dict__['resolve_by_type'])\n"
        "from bot.rasa_adapters import patches\n"
        "patches.install_all()\n"
        "after = (RemoteAction.run, RemoteAction._validate_action_result, "
        "Event.__dict__['resolve_by_type'])\n"
        "print(same, all(a is not b for a, b in zip(before, after)), patches.installed())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["True", "True", "True"]
