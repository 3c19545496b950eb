"""``python -m bot labs`` and the chat read the same blood result from the same message.

They once had a parser each and disagreed ("B12 came back 'low-ish' at 170": the command
line read it, the chat did not; "I'm 45 and my b12 was low": the command line read 45).
Each message below is the person's own, present result (or no result at all), so ConText
has nothing to drop and any difference would come from the reading itself.
"""

from __future__ import annotations

import io
import json

import pytest

from bot.cli import main
from bot.findings import Findings
from bot.labs import interpret
from bot.nlu.reading import extract

MESSAGES = [
    "B12 came back 'low-ish' at 170",
    "my GP said the b12 was 170",
    "my GP said the b12 was 170 ng/L",
    "folate: 2.1",
    "active B12 (holotranscobalamin) 25 pmol/L",
    "MMA 0.5 umol/L",
    "haemoglobin 95 g/L",
    "ferritin was 12",
    "b12 150 pmol/L",
    "I'm 45 and my b12 was low",
    "b12 low since 2019",
    "I take b12 1000 mcg tablets",
    "b12 shots for 3 weeks",
    "b12 tested 3 times this year",
    "Hb 11.2 g/dl",
    "mcv 104",
    "serum folate of 3",
    "vitamin b12 was 300 pg/mL",
    "homocysteine 20 µmol/L",
    "b12: <150",
    "b12 is 1,200",
    "hb 13 mmol/L",
    "b12 150 fL",
    "b12 150 mg/dl",
    "b12 999999 ng/L",
    "mma 10",
    "250 ng/L for my b12",
    "total b12 of 200",
    "my b12 came back at 160 last week",
    "red cell folate 400 nmol/L",
    "b12 and folate were 160 and 3",
    "B12 active (holotranscobalamin) 24 pmol/L - flagged low",
    "b12 1000mcg/day",
    "Now my GP says my B12 is low (160) and I'm still on PPIs",
    "I'm 58, had a gastric bypass in 2015 and I've been on B12 jabs every 3 months since",
    "the b12 one came back at a pretty poor 160",
    "my b twelve was one hundred and seventy",
    "b12 was 140 in May, retested since and it's 390",
    "is 190 ng/L a low b12?",
]

# The command line's messages when a text holds no result at all: the chat just reads nothing.
NOTHING_READ = ("I could not find a number", "I could not tell which test")


def cli_reading(text: str, capsys: pytest.CaptureFixture[str]) -> tuple | None:
    out = io.StringIO()
    code = main(["labs", text, "--json"], out=out)
    error = capsys.readouterr().err
    if code != 0:
        message = error.removeprefix("error: ").strip()
        return None if message.startswith(NOTHING_READ) else ("refused", message)
    data = json.loads(out.getvalue())
    return (
        data["analyte"],
        round(data["value"], 3),
        data["unit"],
        data["band"],
        data["unit_inferred"],
    )


def chat_reading(text: str) -> tuple | None:
    extraction = extract(text)
    if extraction.labs:
        reading = interpret(extraction.labs[0], Findings())
        return (
            reading.analyte,
            round(reading.value, 3),
            reading.unit,
            reading.band,
            reading.unit_inferred,
        )
    if extraction.lab_errors:
        return "refused", extraction.lab_errors[0]
    return None


@pytest.mark.parametrize("text", MESSAGES)
def test_the_command_line_and_the_chat_read_the_same_result(text, capsys):
    assert cli_reading(text, capsys) == chat_reading(text)


def test_the_list_covers_results_refusals_and_numbers_that_are_not_results():
    readings = [chat_reading(text) for text in MESSAGES]
    assert sum(r is None for r in readings) >= 8
    assert sum(r is not None and r[0] == "refused" for r in readings) >= 4
    assert sum(r is not None and r[0] != "refused" for r in readings) >= 18
