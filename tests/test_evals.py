"""Datasets, aggregation, thresholds and the CI gate of `rag eval`."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from rag.config import Settings
from rag.evals import report as reports
from rag.evals import runner as evals
from rag.evals import scoring, thresholds
from rag.evals.dataset import DatasetError, GoldQuestion, load, select
from rag.pipeline import Rag

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "evals" / "seeds.jsonl"
THRESHOLDS = REPO / "evals" / "thresholds.toml"


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_the_seeds_gold_set_has_what_the_product_promises():
    questions = load(SEEDS).questions
    assert len(questions) >= 20
    assert sum(not q.answerable for q in questions) >= 5
    lee = next(q for q in questions if q.question == "Who does Lee meet in Beijing?")
    assert lee.match_all and set(lee.answers) == {"Xi Jinping", "Li Qiang", "Zhao Leji"}


def test_a_broken_dataset_line_is_reported_with_its_line_number(tmp_path):
    path = write_lines(tmp_path / "q.jsonl", '{"id": "a", "question": "Q?", "answers": ["x"]}', "{not json")
    with pytest.raises(DatasetError, match=r"q\.jsonl:2: not valid JSON"):
        load(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "question": "", "answers": ["x"]}', "non-empty string"),
        ('{"id": "a", "question": "Q?", "answers": []}', "needs gold 'answers'"),
        ('{"id": "a", "question": "Q?", "answers": ["x"], "match": "most"}', "'match' must be"),
        ('{"id": "a", "question": "Q?", "answers": "x"}', "list of strings"),
    ],
)
def test_invalid_questions_are_refused_with_the_reason(tmp_path, line, message):
    with pytest.raises(DatasetError, match=message):
        load(write_lines(tmp_path / "q.jsonl", line))


def test_a_dataset_folder_needs_a_corpus(tmp_path):
    write_lines(tmp_path / "questions.jsonl", '{"id": "a", "question": "Q?", "answers": ["x"]}')
    with pytest.raises(DatasetError, match="corpus/"):
        load(tmp_path)


def test_a_sample_is_the_same_for_the_same_seed_and_differs_for_another():
    questions = load(SEEDS).questions
    first, again, other = (select(questions, None, 8, seed) for seed in (1, 1, 2))
    assert first == again and len(first) == 8 and first != other
    assert select(questions, 3, None, 0) == questions[:3]


def test_folds_split_the_questions_in_two_by_id_whatever_else_is_in_the_file(tmp_path):
    lines = [json.dumps({"id": f"q{i}", "question": f"Question {i}?", "answers": ["x"]}) for i in range(200)]
    questions = load(write_lines(tmp_path / "all.jsonl", *lines)).questions
    tune, check = (select(questions, None, None, 0, fold) for fold in ("tune", "check"))
    assert set(tune).isdisjoint(check) and len(tune) + len(check) == 200
    assert 70 <= len(tune) <= 130  # a hash halves them, near enough
    fewer = load(write_lines(tmp_path / "some.jsonl", *lines[::3])).questions
    assert {q.id for q in select(fewer, None, None, 0, "check")} == {q.id for q in check if int(q.id[1:]) % 3 == 0}
    sampled = select(questions, None, 10, 0, "check")
    assert len(sampled) == 10 and set(sampled) <= set(check)


def test_a_report_over_both_folds_shows_how_far_check_falls_behind_tune():
    results = [ranked(1, GoldQuestion(f"q{i}", "?", ("x",), "bridge", ("g.txt",))) for i in range(40)]
    results = [r if r.gold.fold == "tune" else ranked(3, r.gold) for r in results]
    folds = evals.by_fold(results, 4)
    assert folds["tune"]["hit@1"] == 1.0 and folds["check"]["hit@1"] == 0.0
    assert folds["gap"]["hit@1"] == -1.0 and folds["gap"]["hit@4"] == 0.0
    assert "| hit@1 | 1.000 | 0.000 | -1.000 |" in reports.markdown(_report(results, None))
    assert _report(results, "check")["metrics_by_fold"] == {}


def _report(results: list[evals.QuestionResult], fold: str | None, gates: list[thresholds.Threshold] = ()) -> dict:
    """A retrieval-only report, with only what a report reads of the pipeline that ran."""
    rag = SimpleNamespace(llm_name="none", settings=Settings(index_dir=Path(".")), embedder=SimpleNamespace(name="e"))
    return reports.report(load(SEEDS), results, 4, True, rag, list(gates), 1.0, fold)


def ranked(gold_rank: int | None, gold: GoldQuestion) -> evals.QuestionResult:
    sources = [f"corpus/other-{i}.txt" for i in range(5)]
    if gold_rank:
        sources[gold_rank - 1] = "corpus/" + gold.gold_docs[0]
    return evals.QuestionResult(gold, 4, tuple(sources), scoring.check_ranking(gold, sources), 0.002)


def test_aggregates_are_per_type_and_leave_out_what_was_not_measured():
    one = GoldQuestion("1", "?", ("x",), "bridge", ("g.txt",))
    two = GoldQuestion("2", "?", ("x",), "comparison", ("g.txt",))
    none = GoldQuestion("3", "?", (), "unanswerable", ())
    results = [ranked(1, one), ranked(3, two), ranked(None, none)]
    metrics = evals.aggregate(results, 4)
    assert metrics["questions"] == 3
    assert metrics["hit@1"] == 0.5 and metrics["hit@4"] == 1.0
    assert metrics["mrr@10"] == pytest.approx((1 + 1 / 3) / 2, abs=1e-4)
    assert "accuracy" not in metrics  # retrieval-only: answers were not scored
    assert evals.by_type(results, 4)["comparison"]["hit@1"] == 0.0


def test_thresholds_come_from_the_file_and_a_flag_replaces_the_same_metric(tmp_path):
    path = write_lines(tmp_path / "t.toml", "[demo.min]", '"hit@1" = 0.9', "accuracy = 0.5", "[demo.max]", "false_refusal = 0.2")
    limits = thresholds.for_dataset("demo", path, ["hit@1=0.5"], [])
    by_metric = {(t.metric, t.bound): t.limit for t in limits}
    assert by_metric == {("hit@1", "min"): 0.5, ("accuracy", "min"): 0.5, ("false_refusal", "max"): 0.2}
    gates = thresholds.gate({"hit@1": 0.6, "accuracy": 0.7, "false_refusal": 0.3}, limits)
    verdicts = {g.threshold.metric: (g.value, g.ok) for g in gates}
    assert verdicts == {"hit@1": (0.6, True), "accuracy": (0.7, True), "false_refusal": (0.3, False)}


def test_a_gate_on_a_metric_the_run_did_not_measure_misses_unless_the_mode_cannot_measure_it():
    limits = [thresholds.Threshold("abstention_correct", "min", 0.5), thresholds.Threshold("all_gold@10", "min", 0.5)]
    full = thresholds.gate({"hit@1": 1.0}, limits)
    assert [(g.value, g.ok) for g in full] == [(None, False), (None, False)]
    retrieval = {g.threshold.metric: (g.applicable, g.ok) for g in thresholds.gate({"hit@1": 1.0}, limits, retrieval_only=True)}
    assert retrieval == {"abstention_correct": (False, True), "all_gold@10": (True, False)}


def test_thresholds_are_looked_for_beside_the_dataset_and_a_named_file_must_hold_its_table(tmp_path):
    gold = write_lines(tmp_path / "demo.jsonl", '{"id": "a", "question": "Q?", "answers": ["x"]}')
    assert thresholds.beside(gold) == tmp_path / "thresholds.toml"
    assert thresholds.for_dataset("demo", thresholds.beside(gold), [], [], named=False) == []
    with pytest.raises(thresholds.ThresholdError, match="no such thresholds file"):
        thresholds.for_dataset("demo", tmp_path / "thresholds.toml", [], [])
    other = write_lines(tmp_path / "thresholds.toml", "[other.min]", "accuracy = 0.5")
    with pytest.raises(thresholds.ThresholdError, match=r"no \[demo.min\] or \[demo.max\] table"):
        thresholds.for_dataset("demo", other, [], [])
    assert thresholds.for_dataset("other", thresholds.beside(gold), [], [], named=False)[0].metric == "accuracy"


@pytest.mark.parametrize("body", ["demo = 3", "[demo]\nmin = 0.5", "[demo.minimum]\naccuracy = 0.5"])
def test_a_thresholds_table_of_the_wrong_shape_is_refused(tmp_path, body):
    with pytest.raises(thresholds.ThresholdError, match=r"\[demo.min\]"):
        thresholds.for_dataset("demo", write_lines(tmp_path / "t.toml", body), [], [])


@pytest.mark.parametrize("flag", ["hti@1=0.5", "hit@1", "hit@1=high"])
def test_a_threshold_on_no_metric_or_without_a_number_is_refused(flag):
    with pytest.raises(thresholds.ThresholdError):
        thresholds.from_flags([flag], "min")


def test_baseline_deltas_know_which_way_is_better(tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"metrics": {"hit@1": 0.8, "latency_p50_s": 3.0}}))
    changes = thresholds.deltas({"hit@1": 0.9, "latency_p50_s": 4.0, "accuracy": 0.5}, thresholds.load_baseline(old).metrics)
    assert changes == {"hit@1": 0.1, "latency_p50_s": 1.0}
    assert thresholds.improved("hit@1", 0.1) and not thresholds.improved("latency_p50_s", 1.0)
    with pytest.raises(thresholds.ThresholdError, match="not a rag eval report"):
        thresholds.load_baseline(write_lines(tmp_path / "bad.json", "[]"))


def test_the_questions_that_flipped_since_the_baseline_are_listed_by_id(tmp_path):
    before = [{"id": "a", "passed": True}, {"id": "b", "passed": False}, {"id": "c", "passed": True}, {"id": "gone", "passed": True}]
    old = write_lines(tmp_path / "old.json", json.dumps({"metrics": {}, "questions": before}))
    now = [{"id": "a", "passed": False}, {"id": "b", "passed": True}, {"id": "c", "passed": True}, {"id": "new", "passed": False}]
    assert thresholds.flips(now, thresholds.load_baseline(old)) == {"newly_failing": ["a"], "newly_passing": ["b"]}


# -- with the real embedder and Chroma --------------------------------------------------------


@pytest.fixture(scope="module")
def seeds_rag(tmp_path_factory):
    from rag.config import Settings

    root = tmp_path_factory.mktemp("evals")
    rag = Rag(Settings(index_dir=root / "index", cache_dir=root / "cache", threads=2))
    rag.ingest()
    return rag


def seeds_gate(rag: Rag, k: int) -> list[thresholds.GateResult]:
    questions = load(SEEDS).questions
    metrics = evals.aggregate(evals.run(rag, questions, k, retrieval_only=True), k)
    return thresholds.gate(metrics, thresholds.for_dataset("seeds", THRESHOLDS, [], []), retrieval_only=True)


def test_the_seeds_retrieval_gate_holds_on_the_real_index(seeds_rag):
    gates = seeds_gate(seeds_rag, 4)
    assert any(g.value is not None for g in gates), "the thresholds file gates seeds retrieval"
    assert all(g.ok for g in gates), [(g.threshold, g.value) for g in gates if not g.ok]


def test_deliberately_broken_retrieval_fails_the_gate(seeds_rag, monkeypatch):
    shuffler = random.Random(7)
    honest = seeds_rag.retrieve

    def shuffled(question, k=None, sources=()):
        passages = honest(question, k, sources)
        return shuffler.sample(passages, len(passages))

    monkeypatch.setattr(seeds_rag, "retrieve", shuffled)
    gates = seeds_gate(seeds_rag, 1)
    assert not all(g.ok for g in gates)


def test_a_full_run_scores_answers_through_the_pipeline(seeds_rag, fake_llm):
    """The answer path is Rag.ask, the same one the CLI uses; a fake model that answers with sentences about Monday, and about Seoul whatever they say."""
    rag = Rag(seeds_rag.settings, llm=fake_llm(lambda q, s: s if "Monday" in s or "Seoul" in q else "NONE"))
    questions = tuple(q for q in load(SEEDS).questions if q.id in ("xi-meeting-day", "seoul-population"))
    results = {r.gold.id: r for r in evals.run(rag, questions, 4, retrieval_only=False)}
    assert results["xi-meeting-day"].correct and results["xi-meeting-day"].passed
    assert not results["seoul-population"].correct
    metrics = evals.aggregate(list(results.values()), 4)
    assert metrics["answer_correct"] == 1.0 and metrics["abstention_correct"] == 0.0
    report = reports.report(load(SEEDS), list(results.values()), 4, False, rag, [], 1.0)
    row = next(q for q in report["questions"] if q["id"] == "xi-meeting-day")
    assert row["retrieved_docs"][0] == "000_2700a83b44745f36.txt"
    assert row["citations"] and all(c["supports"] for c in row["citations"])


def test_the_trivial_baselines_are_scored_beside_the_run_and_a_gate_they_pass_is_flagged(seeds_rag, fake_llm):
    rag = Rag(seeds_rag.settings, llm=fake_llm(lambda q, s: s if "Monday" in s or "Seoul" in q else "NONE"))
    questions = tuple(q for q in load(SEEDS).questions if q.id in ("xi-meeting-day", "seoul-population"))
    results = evals.run(rag, questions, 4, retrieval_only=False)
    gates = [thresholds.Threshold("abstention_correct", "min", 0.5), thresholds.Threshold("answer_correct", "min", 0.5)]
    report = reports.report(load(SEEDS), results, 4, False, rag, gates, 1.0)
    abstain = report["baselines"]["always-abstain"]
    assert abstain["abstention_correct"] == 1.0 and abstain["answer_correct"] == 0.0 and abstain["false_refusal"] == 1.0
    assert set(report["baselines"]) == {"always-abstain", "always-yes", "no-model"}
    verdicts = {t["metric"]: (t["ok"], t["trivial_passes"]) for t in report["thresholds"]}
    missed, passed_by = verdicts["abstention_correct"]
    assert not missed and {"always-abstain", "always-yes"} <= set(passed_by)  # no yes/no question: always-yes abstains
    assert verdicts["answer_correct"][0] and "always-abstain" not in verdicts["answer_correct"][1]
    assert "a trivial baseline passes it too (always-abstain" in reports.markdown(report)


def test_abstention_skill_is_one_for_abstaining_exactly_on_the_unanswerable_and_zero_for_always_abstaining(seeds_rag, fake_llm):
    rag = Rag(seeds_rag.settings, llm=fake_llm(lambda q, s: s if "Monday" in s else "NONE"))
    questions = tuple(q for q in load(SEEDS).questions if q.id in ("xi-meeting-day", "seoul-population"))
    gates = [thresholds.Threshold("abstention_skill", "min", 0.5)]
    report = reports.report(load(SEEDS), evals.run(rag, questions, 4, retrieval_only=False), 4, False, rag, gates, 1.0)
    assert report["metrics"]["abstention_skill"] == 1.0
    assert report["baselines"]["always-abstain"]["abstention_skill"] == 0.0
    assert report["thresholds"][0]["ok"] and "always-abstain" not in report["thresholds"][0]["trivial_passes"]


def test_a_run_with_a_policy_value_set_behaves_by_it_and_its_report_says_so(seeds_rag, fake_llm):
    settings = replace(seeds_rag.settings, policy=replace(seeds_rag.settings.policy, min_evidence=5.0))
    rag = Rag(settings, llm=fake_llm(lambda q, s: s))
    questions = tuple(q for q in load(SEEDS).questions if q.id == "xi-meeting-day")
    report = reports.report(load(SEEDS), evals.run(rag, questions, 4, retrieval_only=False), 4, False, rag, [], 1.0)
    assert report["questions"][0]["abstention_reason"] == "weak evidence"  # no sentence scores 5
    assert report["policy"]["min_evidence"] == 5.0 and report["policy"]["keyword_weight"] == settings.policy.keyword_weight
    assert "changed from the defaults: min_evidence=5.0." in reports.markdown(report)
    default_run = reports.report(load(SEEDS), evals.run(seeds_rag, questions, 4, retrieval_only=True), 4, True, seeds_rag, [], 1.0)
    assert "Policy: the defaults" in reports.markdown(default_run)


def test_a_margin_is_how_far_the_run_is_ahead_of_the_best_baseline_whichever_way_is_better():
    trivial = {"abstain": {"accuracy": 0.5, "false_refusal": 1.0}, "quote": {"accuracy": 0.4, "false_refusal": 0.05}}
    assert evals.margins({"accuracy": 0.6, "false_refusal": 0.1}, trivial) == {"accuracy": 0.1, "false_refusal": -0.05}


def test_the_junit_file_holds_a_case_per_question_and_per_threshold_with_the_reason_it_failed(tmp_path):
    from junitparser import Failure, JUnitXml, Skipped

    from rag.evals import junit

    gold = [GoldQuestion(f"q{i}", f"Who is number {i}?", ("x",), "bridge", ("g.txt",)) for i in range(2)]
    results = [ranked(1, gold[0]), ranked(None, gold[1]), ranked(None, GoldQuestion("u", "?", (), "unanswerable", ()))]
    gates = [thresholds.Threshold("hit@1", "min", 0.9), thresholds.Threshold("accuracy", "min", 0.5)]
    junit.write(_report(results, None, gates), tmp_path / "out" / "junit.xml")
    questions, gated = JUnitXml.fromfile(str(tmp_path / "out" / "junit.xml"))
    cases = {case.name: case.result for case in questions}
    assert questions.tests == 3 and questions.failures == 1 and questions.skipped == 1
    failed = cases["q1: Who is number 1?"]
    assert isinstance(failed[0], Failure) and "no gold document in the top 10" in failed[0].message
    assert cases["q0: Who is number 0?"] == [] and isinstance(cases["u: ?"][0], Skipped)
    verdicts = {case.name: case.result for case in gated}
    assert isinstance(verdicts["hit@1 >= 0.9"][0], Failure) and "measured 0.5" in verdicts["hit@1 >= 0.9"][0].message
    assert isinstance(verdicts["accuracy >= 0.5"][0], Skipped)  # not applicable under --retrieval-only


def test_repeated_runs_gate_on_the_mean_and_call_a_limit_inside_their_spread_unstable(seeds_rag, fake_llm):
    mood = {"answers": True}  # a model that answers in the first run and declines in the second
    rag = Rag(seeds_rag.settings, llm=fake_llm(lambda q, s: s if "Monday" in s and mood["answers"] else "NONE"))
    questions = tuple(q for q in load(SEEDS).questions if q.id == "xi-meeting-day")
    runs = [evals.run(rag, questions, 4, retrieval_only=False)]
    mood["answers"] = False
    runs.append(evals.run(rag, questions, 4, retrieval_only=False))
    assert [r[0].correct for r in runs] == [True, False]
    gates = [thresholds.Threshold("answer_correct", "min", 0.4), thresholds.Threshold("hit@1", "min", 0.9)]
    report = reports.report(load(SEEDS), runs[0], 4, False, rag, gates, 1.0, repeats=runs[1:])
    assert report["runs"] == 2 and report["metrics"]["answer_correct"] == 0.5
    assert report["spread"]["answer_correct"] == {"min": 0.0, "max": 1.0, "stdev": 0.5}
    verdicts = {t["metric"]: (t["ok"], t["unstable"]) for t in report["thresholds"]}
    assert verdicts == {"answer_correct": (True, True), "hit@1": (True, False)}
    assert report["questions"][0]["passed_runs"] == "1/2"
