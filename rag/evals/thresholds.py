"""Thresholds a `rag eval` run must meet, and the change of every metric against an earlier report."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

THRESHOLDS_FILE = "thresholds.toml"  # looked for beside a JSONL dataset, or inside a dataset folder
LOWER_IS_BETTER = re.compile(r"false_refusal|latency|tokens|_ms$|repaired|removed")
_METRIC_NAME = re.compile(
    r"(hit|recall|mrr|all_gold)@\d+|questions|accuracy|answer_correct|token_f1|abstention_(correct|skill)|"
    r"false_refusal|claim_precision|citations_repaired|sentences_removed_mean|citation_validity|citation_support|"
    r"latency_p(50|95)_s|retrieval_p50_ms|"
    r"(prompt|completion)_tokens_mean"
)

# What only a full run measures: under --retrieval-only a threshold on one of these is not applicable.
ANSWER_METRIC = re.compile(
    r"accuracy|answer_correct|token_f1|abstention_(correct|skill)|false_refusal|claim_precision|citations?_\w+|"
    r"sentences_removed_mean|latency_p\d+_s|\w+_tokens_mean"
)


class ThresholdError(ValueError):
    """A threshold that names no metric or has no number; the message says which."""


@dataclass(frozen=True)
class Threshold:
    metric: str
    bound: str  # "min" or "max"
    limit: float

    def holds(self, value: float) -> bool:
        return value >= self.limit if self.bound == "min" else value <= self.limit


@dataclass(frozen=True)
class GateResult:
    """A threshold's verdict. A metric the run did not measure (no unanswerable question among
    those sampled, say) misses: a gate that cannot fail would pass unnoticed."""

    threshold: Threshold
    value: float | None  # None: not measured
    applicable: bool = True  # False: an answer metric under --retrieval-only, shown, not judged

    @property
    def ok(self) -> bool:
        return not self.applicable or (self.value is not None and self.threshold.holds(self.value))


def from_file(path: Path, dataset: str) -> list[Threshold]:
    """The [DATASET.min] and [DATASET.max] tables of a thresholds file, if it has them."""
    if not path.is_file():
        return []
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get(dataset, {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ThresholdError(f"{path}: not valid TOML ({exc})") from exc
    if not isinstance(table, dict) or set(table) - {"min", "max"} or not all(isinstance(v, dict) for v in table.values()):
        raise ThresholdError(f"{path}: [{dataset}] may hold only [{dataset}.min] and [{dataset}.max] tables of METRIC = VALUE")
    return [_threshold(name, bound, value, str(path)) for bound in ("min", "max") for name, value in table.get(bound, {}).items()]


def from_flags(flags: list[str], bound: str) -> list[Threshold]:
    parsed = []
    for flag in flags:
        name, sep, value = flag.partition("=")
        if not sep:
            raise ThresholdError(f"--{bound} {flag!r}: write it as METRIC=VALUE, e.g. --{bound} hit@1=0.9")
        parsed.append(_threshold(name.strip(), bound, value.strip(), f"--{bound}"))
    return parsed


def _threshold(name: str, bound: str, value, where: str) -> Threshold:
    if not _METRIC_NAME.fullmatch(name):
        raise ThresholdError(f"{where}: no metric called {name!r}")
    try:
        return Threshold(name, bound, float(value))
    except (TypeError, ValueError):
        raise ThresholdError(f"{where}: {name} needs a number, got {value!r}") from None


def beside(dataset: Path) -> Path:
    """Where a dataset's thresholds are looked for unless --thresholds names a file."""
    dataset = dataset.expanduser()
    return dataset / THRESHOLDS_FILE if dataset.is_dir() else dataset.with_name(THRESHOLDS_FILE)


def for_dataset(dataset: str, path: Path, minimum: list[str], maximum: list[str], named: bool = True) -> list[Threshold]:
    """The dataset's thresholds from the file, each replaced by a --min/--max flag on the same
    metric. A file named on the command line must exist and hold the dataset's table; the file
    looked for beside the dataset may be absent."""
    if named and not path.is_file():
        raise ThresholdError(f"{path}: no such thresholds file")
    from_path = from_file(path, dataset)
    if named and not from_path:
        raise ThresholdError(f"{path}: no [{dataset}.min] or [{dataset}.max] table")
    merged = {(t.metric, t.bound): t for t in from_path}
    flags = from_flags(minimum, "min") + from_flags(maximum, "max")
    merged.update({(t.metric, t.bound): t for t in flags})
    return list(merged.values())


def gate(metrics: dict[str, float], thresholds: list[Threshold], retrieval_only: bool = False) -> list[GateResult]:
    return [GateResult(t, metrics.get(t.metric), not (retrieval_only and ANSWER_METRIC.fullmatch(t.metric))) for t in thresholds]


@dataclass(frozen=True)
class Baseline:
    """An earlier report: its metrics, and whether each of its questions passed, by id."""

    metrics: dict[str, float]
    passed: dict[str, bool | None]


def load_baseline(path: Path) -> Baseline:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
        metrics = report["metrics"]
        passed = {str(q["id"]): q.get("passed") for q in report.get("questions", [])}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ThresholdError(f"{path}: not a rag eval report ({exc.__class__.__name__})") from None
    return Baseline({name: value for name, value in metrics.items() if isinstance(value, (int, float))}, passed)


def flips(questions: list[dict], baseline: Baseline) -> dict[str, list[str]]:
    """The questions, by id, that fail now and passed in the baseline, and the other way round."""
    asked_both = [q for q in questions if baseline.passed.get(str(q["id"])) is not None and q["passed"] is not None]
    return {
        "newly_failing": [q["id"] for q in asked_both if baseline.passed[str(q["id"])] and not q["passed"]],
        "newly_passing": [q["id"] for q in asked_both if not baseline.passed[str(q["id"])] and q["passed"]],
    }


def deltas(metrics: dict[str, float], baseline: dict[str, float]) -> dict[str, float]:
    return {name: round(value - baseline[name], 4) for name, value in metrics.items() if name in baseline}


def improved(metric: str, delta: float) -> bool:
    return delta < 0 if LOWER_IS_BETTER.search(metric) else delta > 0
