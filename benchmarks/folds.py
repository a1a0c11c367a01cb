"""Tune against check on the public sets: what the answers score on the questions rules were set
on, what they score on the others, and what the trivial baselines score on the same questions.

    python benchmarks/folds.py [--bench ../shared/bench] [--sample 25] [--out benchmarks/results] [--reports DIR]

Runs `rag eval SET --fold F --sample N --seed 0` (full mode, the embedded models) for each set
and fold, the check runs being exactly what CI gates on, and writes folds.md (the table) to --out.
The reports it read, SET-FOLD.json, quote the benchmarks' questions and answers, so they go to
--reports (a temporary folder unless named), never into the repository.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = ("rgb", "multihop_rag_factsonly", "squad2_sample500", "hotpotqa_distractor100")
FOLDS = ("tune", "check")
METRICS = ("accuracy", "answer_correct", "claim_precision", "token_f1", "abstention_correct", "false_refusal", "abstention_skill")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", type=Path, default=HERE.parents[1] / "shared" / "bench")
    parser.add_argument("--sample", type=int, default=25)
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--reports", type=Path, default=None, help="where the per-run reports go (default: a temporary folder)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    reports_dir = args.reports or Path(tempfile.mkdtemp(prefix="rag-folds-"))
    reports_dir.mkdir(parents=True, exist_ok=True)
    reports = {}
    for name in args.sets.split(","):
        for fold in FOLDS:
            path = reports_dir / f"{name}-{fold}.json"
            command = [
                "rag",
                "eval",
                str(args.bench / name),
                "--fold",
                fold,
                "--sample",
                str(args.sample),
                "--seed",
                "0",
                "--out",
                str(path),
            ]
            subprocess.run(command, stdout=subprocess.DEVNULL, check=False)  # exit 5 (a gate missed) still wrote the report
            if not path.is_file():
                sys.exit(f"no report from: {' '.join(command)}")
            reports[name, fold] = json.loads(path.read_text())
    table = _table(reports)
    (args.out / "folds.md").write_text(table)
    print(table)


def _table(reports: dict) -> str:
    lines = ["| set | metric | tune | check | check − tune | best trivial baseline on check |", "|---|---|---:|---:|---:|---|"]
    for (name, fold), check in reports.items():
        if fold != "check":
            continue
        tune = reports[name, "tune"]
        header = f"{name} ({tune['metrics']['questions']} / {check['metrics']['questions']} q)"
        for metric in METRICS:
            if metric not in check["metrics"] or metric not in tune["metrics"]:
                continue
            ours, theirs = tune["metrics"][metric], check["metrics"][metric]
            lines.append(f"| {header} | {metric} | {ours:.3f} | {theirs:.3f} | {theirs - ours:+.3f} | {_best_baseline(check, metric)} |")
            header = ""
    return "\n".join(lines) + "\n"


def _best_baseline(report: dict, metric: str) -> str:
    scored = {name: values[metric] for name, values in report.get("baselines", {}).items() if metric in values}
    if not scored:
        return "–"
    pick = min if metric == "false_refusal" else max
    name = pick(scored, key=scored.get)
    return f"{scored[name]:.3f} ({name})"


if __name__ == "__main__":
    main()
