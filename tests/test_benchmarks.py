"""The speed suite (benchmarks/suite.py) in its smoke version, as CI runs it: rag and the
vanilla LlamaIndex pipeline measured on every figure, the table and the plots written. No
timing is asserted: the machines are shared and noisy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parents[1] / "benchmarks" / "suite.py"
FIGURES = (
    "ingest, chunks/s",
    "bare embedder",
    "retrieval p50, ms, 200 chunks",
    "retrieval p95, ms, 400 chunks",
    "to first token",
    "to full answer",
    "to prompt",
    "answer p50",
    "prompt tokens",
    "peak memory",
)


@pytest.mark.slow
def test_the_smoke_suite_measures_both_pipelines_on_every_figure(tmp_path):
    done = subprocess.run([sys.executable, str(SUITE), "--smoke", "--out", str(tmp_path)], capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = [line.strip("|").split("|") for line in (tmp_path / "results.md").read_text().splitlines() if line.startswith("| ")][1:]
    for figure in FIGURES:
        assert any(figure in label for label, *_ in rows), figure
    for label, ours, theirs, advantage, _ in rows:
        assert float(ours.replace(",", "")) > 0 and float(theirs.replace(",", "")) > 0, label
        assert advantage.strip().endswith("×")
    for plot in ("retrieval.png", "answers.png"):
        assert (tmp_path / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    results = json.loads((tmp_path / "results.json").read_text())
    for name in ("rag", "vanilla"):
        assert all(results["answers"][name]["answers"]), f"{name} gave an empty answer"
        assert results["retrieval"]["400"][name]["chunks"] >= 400
