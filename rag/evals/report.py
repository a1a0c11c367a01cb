"""The report of an eval run: every metric, the folds, the trivial baselines, the gates and each
question, as JSON and as a Markdown summary for CI logs."""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from rag.evals.dataset import UNANSWERABLE, Dataset
from rag.evals.runner import QuestionResult, aggregate, baseline_metrics, by_fold, by_type, margins
from rag.evals.thresholds import Threshold, gate
from rag.pipeline import Rag, Sources
from rag.policy import DEFAULT

REPORTS_DIR = "eval-reports"  # inside the index folder, unless --out says otherwise


def report(
    dataset: Dataset,
    results: list[QuestionResult],
    k: int,
    retrieval_only: bool,
    rag: Rag,
    thresholds: list[Threshold],
    seconds: float,
    fold: str | None = None,
    repeats: list[list[QuestionResult]] = (),
    sources: Sources = (),
) -> dict:
    """`repeats`: the same questions asked again (`--repeat`); metrics are then the mean over
    every run, with their spread, and a gate whose limit lies inside the spread is unstable."""
    metrics, spread = repeated([results, *repeats], k) if repeats else (aggregate(results, k), {})
    gates = gate(metrics, thresholds, retrieval_only)
    trivial = baseline_metrics(results)
    return {
        "dataset": dataset.name,
        "fold": fold or "both",
        "mode": "retrieval-only" if retrieval_only else "full",
        "k": k,
        "source_filter": list(sources),
        "model": None if retrieval_only else rag.llm_name,
        "embedder": rag.embedder.name,
        "index_dir": str(rag.settings.index_dir),
        "policy": asdict(rag.settings.policy),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "metrics": metrics,
        "metrics_by_type": by_type(results, k),
        "metrics_by_fold": by_fold(results, k) if fold is None else {},
        "thresholds": [
            {
                "metric": g.threshold.metric,
                "bound": g.threshold.bound,
                "limit": g.threshold.limit,
                "value": g.value,
                "ok": g.ok,
                "applicable": g.applicable,
                # A gate a trivial baseline passes as well proves nothing.
                "trivial_passes": [n for n, t in trivial.items() if g.threshold.metric in t and g.threshold.holds(t[g.threshold.metric])],
                "unstable": _inside(g.threshold.limit, spread.get(g.threshold.metric)),
            }
            for g in gates
        ],
        "runs": 1 + len(repeats),
        "spread": spread,
        "baselines": trivial,
        "margins": margins(metrics, trivial),
        "passed": all(g.ok for g in gates),
        "questions": [_with_runs(r.to_json(), r.gold.id, repeats) for r in results],
    }


def repeated(runs: list[list[QuestionResult]], k: int) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """The mean of each metric over the runs, and its spread: lowest, highest, standard deviation."""
    per_run = [aggregate(results, k) for results in runs]
    names = [name for name in per_run[0] if all(name in m for m in per_run)]
    mean = {name: round(statistics.fmean(m[name] for m in per_run), 4) for name in names}
    spread = {
        name: {
            "min": min(m[name] for m in per_run),
            "max": max(m[name] for m in per_run),
            "stdev": round(statistics.pstdev(m[name] for m in per_run), 4),
        }
        for name in names
        if name != "questions"
    }
    return mean, spread


def _inside(limit: float, spread: dict[str, float] | None) -> bool:
    return bool(spread) and spread["min"] < spread["max"] and spread["min"] <= limit <= spread["max"]


def _with_runs(item: dict, question_id: str, repeats: list[list[QuestionResult]]) -> dict:
    """A repeated question also says in how many runs it passed."""
    if repeats and item["passed"] is not None:
        again = [r.passed for results in repeats for r in results if r.gold.id == question_id]
        item["passed_runs"] = f"{sum(bool(p) for p in [item['passed'], *again])}/{1 + len(again)}"
    return item


def markdown(data: dict) -> str:
    metrics, types = data["metrics"], data["metrics_by_type"]
    lines = [
        f"## rag eval: {data['dataset']} ({data['mode']}, k={data['k']}, {metrics['questions']} questions, fold: {data.get('fold', 'both')})",
        "",
        policy_line(data),
        "",
        "| metric | all | " + " | ".join(types) + " |",
        "|---|---:|" + "---:|" * len(types),
    ]
    for name in metrics:
        cells = [format_metric(metrics.get(name))] + [format_metric(types[t].get(name)) for t in types]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += _fold_lines(data.get("metrics_by_fold") or {})
    lines += _baseline_lines(metrics, data.get("baselines") or {}, data.get("margins") or {})
    lines += _threshold_lines(data["thresholds"])
    for key, label in (("newly_failing", "Newly failing"), ("newly_passing", "Newly passing")):
        if (data.get("flips") or {}).get(key):
            lines += ["", f"{label} since the baseline: " + ", ".join(f"`{i}`" for i in data["flips"][key])]
    failing = [q for q in data["questions"] if q["passed"] is False]
    if failing:
        lines += ["", f"Failing questions ({len(failing)}):", ""]
        lines += [f"- `{q['id']}` {q['question']} — {q['reason']}" for q in failing]
    return "\n".join(lines) + "\n"


def policy_line(data: dict) -> str:
    """The policy values the run changed from the defaults (`--set`, settings), or that it changed none."""
    changed = {name: value for name, value in data.get("policy", {}).items() if getattr(DEFAULT, name, value) != value}
    if not changed:
        return "Policy: the defaults (rag/policy.py)."
    return "Policy, changed from the defaults: " + ", ".join(f"{name}={value}" for name, value in changed.items()) + "."


def _fold_lines(folds: dict) -> list[str]:
    if not folds:
        return []
    lines = ["", "| metric | tune | check | check − tune |", "|---|---:|---:|---:|"]
    for name, gap in folds["gap"].items():
        lines.append(f"| {name} | {format_metric(folds['tune'][name])} | {format_metric(folds['check'][name])} | {gap:+.3f} |")
    return lines


def _baseline_lines(metrics: dict, trivial: dict, ahead: dict) -> list[str]:
    if not trivial:
        return []
    lines = ["", "| metric | this run | " + " | ".join(trivial) + " | margin over the best |", "|---|---:|" + "---:|" * (len(trivial) + 1)]
    for name, margin in ahead.items():
        cells = [format_metric(metrics[name])] + [format_metric(t.get(name)) for t in trivial.values()] + [f"{margin:+.3f}"]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _threshold_lines(items: list[dict]) -> list[str]:
    if not items:
        return []
    lines = ["", "| threshold | limit | value | |", "|---|---:|---:|---|"]
    for item in items:
        lines.append(f"| {item['metric']} {item['bound']} | {item['limit']} | {format_metric(item['value'])} | {_verdict(item)} |")
    return lines


def _verdict(item: dict) -> str:
    if not item.get("applicable", True):
        return "not applicable under --retrieval-only"
    if item["value"] is None:
        return "**missed**: no question of this run measures it"
    verdict = "ok" if item["ok"] else "**missed**"
    trivial = item.get("trivial_passes")
    verdict += f"; a trivial baseline passes it too ({', '.join(trivial)})" if trivial else ""
    return verdict + ("; unstable: the limit lies inside the runs' spread" if item.get("unstable") else "")


def format_metric(value) -> str:
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def outcome(item: dict) -> str:
    """One reported question's outcome, as the calibration scripts weigh it: "right", "wrong",
    or "unanswerable" (whatever was answered)."""
    if item["type"] == UNANSWERABLE:
        return UNANSWERABLE
    return "right" if item["correct"] else "wrong"


def write_report(data: dict, path: Path) -> Path:
    """Write the JSON report and the Markdown summary beside it; returns the summary's path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    summary = path.with_suffix(".md")
    summary.write_text(markdown(data), encoding="utf-8")
    return summary
