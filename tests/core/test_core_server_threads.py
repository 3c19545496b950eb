"""The Rasa launcher runs BLAS on one thread: idle OpenBLAS threads spin after every call."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.rasa_adapters.server import SettingError, limit_blas_threads

ROOT = Path(__file__).resolve().parents[2]


def test_blas_gets_one_thread_unless_told_otherwise() -> None:
    env: dict[str, str] = {}
    assert limit_blas_threads(env) == "1"
    assert env["OPENBLAS_NUM_THREADS"] == "1"
    env = {"B12_BLAS_THREADS": "2", "OPENBLAS_NUM_THREADS": "3"}
    limit_blas_threads(env)
    assert env["OPENBLAS_NUM_THREADS"] == "3"  # a library's own setting is kept
    assert env["MKL_NUM_THREADS"] == "2"


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_an_unusable_thread_count_is_refused_by_name(value: str) -> None:
    with pytest.raises(SettingError, match="B12_BLAS_THREADS"):
        limit_blas_threads({"B12_BLAS_THREADS": value})


def test_numpy_loaded_after_the_limit_runs_blas_on_one_thread() -> None:
    pytest.importorskip("threadpoolctl")
    code = (
        "from bot.rasa_adapters.server import limit_blas_threads\n"
        "limit_blas_threads()\n"
        "import json, numpy, threadpoolctl\n"
        "print(json.dumps([i['num_threads'] for i in threadpoolctl.threadpool_info()"
        " if i['user_api'] == 'blas']))\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                        "B12_BLAS_THREADS", "OMP_NUM_THREADS")}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    threads = json.loads(done.stdout.strip().splitlines()[-1])
    assert threads and set(threads) == {1}
