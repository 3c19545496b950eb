"""``python -m bot extract "text"`` prints the extraction as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cli_extract_prints_findings_json():
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
    text = "no chest pain tho, mum had pernicious anaemia, I'm 67 and vegan, b12 came back 160"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "extract", text],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    states = {(m["id"], m["status"], m["family"]) for m in data["mentions"]}
    assert ("chest_pain", "absent", False) in states
    assert ("pernicious_anaemia", "present", True) in states
    assert ("vegan_diet", "present", False) in states
    assert data["age"] == 67
    assert data["labs"][0]["analyte"] == "b12_total"
