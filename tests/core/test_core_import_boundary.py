"""Which modules of ``bot/`` may use Rasa: the README's architecture, checked.

The clinical core and the language pipeline must import and run without Rasa;
only ``bot/rasa_adapters/`` (channels, stores, the NLU component, the launcher
and the fixes to Rasa internals) may import it, nothing else in ``bot/`` may
import that package, and nothing in ``bot/`` may import ``actions/``.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

# The one package of bot/ that may use Rasa (and Sanic, its web server).
ADAPTERS = "bot/rasa_adapters/"
RASA = {"rasa", "rasa_sdk", "sanic"}


def imported_roots(path: Path) -> set[str]:
    """Top-level package names a module imports, at any depth (in functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def modules() -> list[Path]:
    return sorted(p for p in BOT.rglob("*.py") if "__pycache__" not in p.parts)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_only_the_rasa_adapters_package_imports_rasa() -> None:
    using_rasa = {
        str(p.relative_to(ROOT)) for p in modules() if imported_roots(p) & RASA
    }
    assert using_rasa, "the adapters should be found"
    assert {m for m in using_rasa if not m.startswith(ADAPTERS)} == set()


def test_the_core_does_not_depend_on_the_adapters() -> None:
    outside = [p for p in modules() if not str(p.relative_to(ROOT)).startswith(ADAPTERS)]
    offenders = {
        str(p.relative_to(ROOT)) for p in outside
        if any(m.startswith("bot.rasa_adapters") for m in imported_modules(p))
    }
    assert offenders == set()


def test_nothing_in_bot_imports_the_actions() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in modules() if "actions" in imported_roots(p)]
    assert offenders == []


def test_the_core_runs_with_rasa_unimportable() -> None:
    """An assessment and an extraction with ``rasa`` made unimportable: no hidden dependency."""
    code = (
        "import sys\n"
        "for name in ('rasa', 'rasa_sdk', 'sanic', 'tensorflow'):\n"
        "    sys.modules[name] = None\n"
        "import json\n"
        "from bot.assessment import assess\n"
        "from bot.findings import Findings\n"
        "from bot.nlu import extract\n"
        "found = extract('pins and needles in my feet, no chest pain')\n"
        "data = json.load(open('examples/findings.json'))\n"
        "print(assess(Findings.from_dict(data)).triage.level, len(found.mentions))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    level, mentions = result.stdout.split()
    assert level == "routine" and int(mentions) == 2
