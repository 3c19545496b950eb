"""One home for the assistant's fixed words and for every number it tells people to call."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot import services as services_module
from bot.services import fill, gives_emergency_number, services
from bot.wording import wordings

ROOT = Path(__file__).resolve().parents[2]


def numbers_pattern() -> re.Pattern[str]:
    numbers = "|".join(re.escape(n) for n in services().numbers())
    # Not a colour ("#999") nor part of a longer number ("0.999").
    return re.compile(rf"(?<![\d.#])(?:{numbers})(?![\d.])")


def person_facing_strings(node: object, key: str = "") -> list[str]:
    """Every string in parsed YAML except citations (a source may be named "NHS 111")."""
    if isinstance(node, str):
        return [] if key == "source" else [node]
    if isinstance(node, list):
        return [s for item in node for s in person_facing_strings(item, key)]
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in person_facing_strings(v, str(k))]
    return []


def raw_yaml_files() -> list[Path]:
    return [
        *sorted((ROOT / "bot" / "knowledge" / "data").glob("*.yml")),
        ROOT / "bot" / "wording" / "texts.yml",
        ROOT / "data" / "nlu" / "faq_responses.yml",
    ]


@pytest.mark.parametrize("path", raw_yaml_files(), ids=lambda p: p.name)
def test_no_phone_number_is_written_outside_the_services_file(path: Path) -> None:
    if path.name == "services.yml":
        return
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    written = [s for s in person_facing_strings(data) if numbers_pattern().search(s)]
    assert not written, f"{path.name} writes a number instead of a placeholder: {written[:3]}"


def python_strings() -> list[tuple[str, str]]:
    found = []
    for path in [*sorted((ROOT / "bot").rglob("*.py")), *sorted((ROOT / "actions").glob("*.py"))]:
        if path.name == "services.py":
            continue  # its docstring shows what the placeholders give
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append((str(path.relative_to(ROOT)), node.value))
    return found


def test_no_phone_number_is_written_in_the_code() -> None:
    written = [(p, s[:60]) for p, s in python_strings() if numbers_pattern().search(s)]
    assert not written


def test_the_web_page_names_its_numbers_by_placeholder() -> None:
    page = (ROOT / "web" / "index.html").read_text(encoding="utf-8")
    assert not numbers_pattern().search(page)
    assert gives_emergency_number(fill(page))


def test_domain_responses_are_written_from_the_wording() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.wording", "--check-domain", str(ROOT / "domain.yml")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert domain["responses"]["utter_goodbye"][0]["text"] == wordings()["utter_goodbye"].text


def test_the_domain_check_fails_when_the_domain_was_edited_by_hand(tmp_path: Path) -> None:
    edited = (ROOT / "domain.yml").read_text(encoding="utf-8").replace(
        "Take care.", "Take good care."
    )
    (tmp_path / "domain.yml").write_text(edited, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot.wording", "--check-domain", str(tmp_path / "domain.yml")],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert done.returncode == 1


def test_placeholders_are_filled_and_a_typo_fails_loudly() -> None:
    assert fill("call {emergency_numbers}") == "call 999, 112 or 911"
    assert "Samaritans 116 123" in fill("{crisis_lines}")
    assert fill("wait {seconds} s", keep=["seconds"]) == "wait {seconds} s"
    with pytest.raises(KeyError):
        fill("call {emergency_numbrs}")


def test_every_wording_is_filled_when_loaded() -> None:
    for key, entry in wordings().items():
        assert "{emergency" not in entry.text and "{urgent_care" not in entry.text, key


def test_the_knowledge_base_gives_the_numbers_from_the_services_file() -> None:
    from bot.knowledge import load_knowledge

    kb = load_knowledge()
    assert gives_emergency_number(kb.triage.levels["emergency"].advice)
    assert "Samaritans 116 123" in kb.triage.crisis_lines[0].text


def test_a_services_file_without_emergency_numbers_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "services.yml"
    broken.write_text("urgent_care: {name: x, words: y, number: '1'}\nemergency: []\n")
    monkeypatch.setattr(services_module, "SERVICES_FILE", broken)
    services.cache_clear()
    try:
        with pytest.raises(ValueError):
            services()
    finally:
        services.cache_clear()
