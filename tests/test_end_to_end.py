"""The real `rag` command, as a user runs it: embedded embedder and LLM, no network at all."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pexpect
import pytest
from commands import NO_NETWORK, RAG, ctrl_c_delivered, offline_env
from junitparser import Failure, JUnitXml
from wiki import write_wiki

from rag.answer.compose import ABSTENTION
from rag.resources import seeds_dir
from rag.text import split_sentences


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """Run `rag` in a fresh folder, with no network namespace and every connection attempt logged."""
    home = tmp_path_factory.mktemp("offline")
    env, log = offline_env(home)
    workdir = home / "work"
    workdir.mkdir()

    def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([*NO_NETWORK, *RAG, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=timeout)

    run.workdir = workdir
    run.env = env
    yield run
    assert not log.exists() or log.read_text() == "", f"network connections attempted: {log.read_text()}"


@pytest.mark.llm
def test_first_ask_indexes_the_seeds_and_answers_with_every_person_cited(offline):
    result = offline("ask", "Who does Lee meet in Beijing?")
    assert result.returncode == 0, result.stderr
    assert "indexing the bundled seeds corpus first" in result.stderr
    answer, _, sources = result.stdout.partition("Sources:")
    for name in ("Xi Jinping", "Li Qiang", "Zhao Leji"):
        assert name in answer
    assert "Jae" not in answer  # Lee does not meet himself: a claim restating the subject is set aside
    assert "[1]" in answer
    assert "000_2700a83b44745f36.txt L3" in sources
    assert "Traceback" not in result.stderr


@pytest.mark.llm
def test_a_question_with_one_answer_gets_one_answer_that_agrees_with_its_passages(offline):
    result = offline("ask", "How long is Lee's visit to China?", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    sentences = split_sentences(answer["answer"])
    assert len(sentences) == 1, answer["answer"]
    assert re.search(r"\b(four|4)\b", answer["answer"]) and not re.search(r"\b(three|3)\b", answer["answer"])
    assert answer["confidence"] is not None and 0 < answer["confidence"] <= 1


@pytest.mark.llm
def test_json_citations_point_at_real_text_at_the_stated_lines(offline):
    result = offline("ask", "Who does Lee meet in Beijing?", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["abstained"] is False and data["citations"]
    for citation in data["citations"]:
        assert f"[{citation['n']}]" in data["answer"]
        lines = (seeds_dir() / Path(citation["source"]).name).read_text().splitlines()
        first, _, last = citation["span"].removeprefix("L").partition("-")
        shown = "\n".join(lines[int(first) - 1 : int(last or first)])
        assert citation["text"] in shown
    assert {"retrieve", "first_token", "total"} <= set(data["timings"])


@pytest.mark.llm
def test_question_the_documents_do_not_answer_gets_the_abstention(offline):
    result = offline("ask", "What is the population of Seoul?", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["abstained"] is True
    assert data["answer"] == ABSTENTION
    assert data["citations"] == []


def test_without_a_model_the_answer_quotes_the_best_sentence_with_its_citation(offline):
    result = offline("ask", "Who does Lee meet in Beijing?", "--llm", "none", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["model"] == "none (extractive)" and not data["abstained"]
    assert data["usage"]["calls"] == 0
    for citation in data["citations"]:
        assert f"{citation['text'].rstrip('.')} [{citation['n']}]" in data["answer"]
    assert any(name in data["answer"] for name in ("Xi Jinping", "Li Qiang"))


@pytest.mark.llm
def test_a_yes_no_question_is_answered_with_the_word_and_a_checked_citation(offline):
    result = offline("ask", "Did Lee arrive in Beijing on Sunday?", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["answer"].startswith("Yes"), data["answer"]
    cited = [c["text"] for c in data["citations"]]
    assert cited and any("Sunday" in text for text in cited)


def test_unchanged_corpus_is_not_embedded_again(offline):
    offline("ingest")
    again = offline("ingest")
    assert again.returncode == 0, again.stderr
    assert "0 chunk(s) embedded" in again.stderr and "2 unchanged" in again.stderr


def test_status_reports_the_index(offline):
    result = offline("status", "--json")
    data = json.loads(result.stdout)
    assert data["documents"] == 2 and data["chunks"] > 2
    assert data["embedder"] == "all-MiniLM-L6-v2-int8-onnx"
    assert data["index_dir"] == ".rag"


def test_a_path_that_does_not_exist_is_one_line_and_exit_3(offline):
    result = offline("ingest", "/no/such/folder")
    assert result.returncode == 3
    assert "no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_empty_question_is_a_usage_error(offline):
    result = offline("ask", "  ")
    assert result.returncode == 2 and "question is empty" in result.stderr


def test_a_multi_line_paste_in_chat_is_asked_as_one_question(offline):
    """Through a real terminal: the paste comes bracketed, as a terminal sends it."""
    child = pexpect.spawn(
        RAG[0],
        [*RAG[1:], "chat", "--llm", "none"],
        cwd=str(offline.workdir),
        env={**offline.env, "TERM": "xterm"},
        encoding="utf-8",
        timeout=180,
    )
    child.expect("rag> ")
    child.send("\x1b[200~Who does Lee meet\nin Beijing?\x1b[201~\r")
    child.expect("Sources:")
    child.expect("rag> ")
    # Two questions would be two answers, and a second prompt after the first.
    assert child.expect(["Sources:", "rag> ", pexpect.TIMEOUT], timeout=5) == 2
    child.sendeof()
    child.expect(pexpect.EOF)
    assert "Who does Lee meet in Beijing?" in (offline.workdir / ".rag" / "chat_history").read_text().splitlines()


@pytest.mark.llm
def test_chat_follow_up_sources_reset_cancel_and_ctrl_d(offline):
    child = pexpect.spawn(
        "unshare",
        ["-rn", *RAG, "chat"],
        cwd=str(offline.workdir),
        env={**offline.env, "TERM": "dumb"},  # plain text, no colour codes between the words
        encoding="utf-8",
        timeout=180,
        preexec_fn=ctrl_c_delivered,
    )
    child.expect(r"document\(s\), \d+ chunk\(s\) in \.rag · model Qwen")
    child.expect("rag> ")
    child.sendline("Who does Lee meet in Beijing?")
    child.expect("Sources:")
    child.expect("rag> ")

    child.sendline("When does he meet the first one?")
    child.expect("→ ([^\r\n]+)")
    rewritten = child.match.group(1)
    assert "Xi Jinping" in rewritten and "Lee" in rewritten
    child.expect("Sources:")
    answer = child.before
    child.expect("rag> ")
    sources = child.before
    assert "Monday" in answer and "[" in answer
    assert "000_2700a83b44745f36.txt L2" in sources  # "Lee is scheduled to meet ... Xi Jinping on Monday"

    child.sendline("/sources")
    child.expect(r"\[1\] seeds/")
    child.expect("rag> ")
    child.sendline("/reset")
    child.expect("Conversation forgotten")
    child.expect("rag> ")

    child.sendline("/k 8")  # eight model calls: the answer is still being written when Ctrl-C comes
    child.expect("k = 8")
    child.expect("rag> ")
    for _ in range(4):
        child.sendline("What did China sanction?")
        time.sleep(0.5)  # under way: eight model calls take seconds
        child.sendintr()
        # A busy machine may not have read the line yet: Ctrl-C then only clears the prompt, and
        # the question is answered whole. Ask again until a Ctrl-C lands on an answer.
        if child.expect(["cancelled", "rag> "]) == 0:
            break
    else:
        pytest.fail("Ctrl-C never cancelled an answer under way")
    child.expect("rag> ")
    child.sendline("/nonsense")
    child.expect("Unknown command /nonsense")
    child.expect("rag> ")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in child.before
    history = (offline.workdir / ".rag" / "chat_history").read_text()
    assert "When does he meet the first one?" in history


@pytest.mark.llm
def test_a_bridge_question_is_answered_from_the_page_the_first_one_names(offline, tmp_path):
    countries = {"Oldbridge": "Scotland", "Kestle": "Ireland", "Penmarrow": "England"}
    pages = {town: f"{town} is a town where many race walkers were born. It lies in {country}." for town, country in countries.items()}
    wiki = write_wiki(
        tmp_path / "wiki", {"Harrow Vale": "Harrow Vale is a market town in the hill country of Wales, on the river Teme.", **pages}
    )
    index = tmp_path / "wiki-index"
    assert offline("ingest", str(wiki), "--index-dir", str(index)).returncode == 0
    result = offline("ask", "In what country is the town where Marta Quell was born?", "--index-dir", str(index), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "Wales" in data["answer"] and not data["abstained"], data["answer"]
    assert not any(country in data["answer"] for country in ("Scotland", "Ireland", "England"))
    assert any(c["source"].endswith("harrow-vale.md") for c in data["citations"])


GOLD = Path(__file__).resolve().parents[1] / "evals" / "seeds.jsonl"


@pytest.mark.llm
def test_eval_scores_real_answers_and_the_report_says_why_each_passed_or_failed(offline):
    gold = shutil.copy(GOLD, offline.workdir / "gold.jsonl")  # away from the gates beside it: 3 questions would miss them
    result = offline("eval", str(gold), "--limit", "3", "--out", "report.json")
    assert result.returncode == 0, result.stderr
    assert "this run gates nothing" in result.stderr
    for metric in ("hit@1", "mrr@10", "accuracy", "token_f1", "citation_validity", "latency_p50_s"):
        assert metric in result.stdout
    report = json.loads((offline.workdir / "report.json").read_text())
    assert report["metrics"]["questions"] == 3 and report["mode"] == "full"
    lee = report["questions"][0]
    assert lee["question"] == "Who does Lee meet in Beijing?"
    assert lee["retrieved_docs"][0] == "000_2700a83b44745f36.txt"
    assert lee["correct"] is True and lee["citations"] and lee["reason"]
    assert {"id", "type", "answer", "abstained", "latency_s"} <= set(lee)
    assert "| accuracy |" in (offline.workdir / "report.md").read_text()


def test_eval_exits_5_when_a_threshold_is_missed_and_shows_the_change_from_a_baseline(offline):
    (offline.workdir / "old.json").write_text(
        json.dumps({"metrics": {"hit@1": 0.5}, "questions": [{"id": "lee-beijing-meetings", "passed": False}]})
    )
    result = offline("eval", str(GOLD), "--retrieval-only", "--min", "hit@1=1.01", "--baseline", "old.json", "--junit", "junit.xml")
    assert result.returncode == 5, result.stderr
    assert "MISSED" in result.stdout and "Newly passing (1): lee-beijing-meetings" in result.stdout
    questions, gates = JUnitXml.fromfile(str(offline.workdir / "junit.xml"))
    assert questions.tests == 27 and [case.name for case in gates if any(isinstance(r, Failure) for r in case.result)] == ["hit@1 >= 1.01"]
    hit_at_1 = next(line for line in result.stdout.splitlines() if "hit@1 " in line and "│" in line)
    assert "Δ baseline" in result.stdout and "+0." in hit_at_1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/no/such/questions.jsonl"], "no such file or folder"),
        ([str(GOLD), "--min", "hti@1=0.5"], "no metric called 'hti@1'"),
        ([str(GOLD), "--thresholds", "/no/such.toml"], "no such thresholds file"),
    ],
)
def test_eval_usage_errors_are_one_line_and_exit_2(offline, args, message):
    result = offline("eval", *args)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_benchmark_folder_gets_its_own_index_reused_while_the_corpus_is_unchanged(offline, tmp_path):
    bench = tmp_path / "minibench"
    shutil.copytree(seeds_dir(), bench / "corpus")
    shutil.copy(GOLD, bench / "questions.jsonl")
    index = tmp_path / "bench-index"
    first = offline("eval", str(bench), "--retrieval-only", "--index-dir", str(index))
    assert first.returncode == 0, first.stderr
    assert "2 file(s)" in first.stderr and (index / "manifest.json").exists()
    again = offline("eval", str(bench), "--retrieval-only", "--index-dir", str(index))
    assert "0 chunk(s) embedded" in again.stderr and "2 unchanged" in again.stderr
    assert "minibench · retrieval-only" in again.stdout
