"""The chat session's logic, driven with scripted input and a fake model over the real seeds index."""

from __future__ import annotations

import json

import pytest

from rag import resources
from rag.chat import run
from rag.config import Settings
from rag.models.remote import ProviderError
from rag.pipeline import Rag

FOLLOW_UP = "When does he meet the first one?"
REWRITTEN = "When does Lee meet Xi Jinping?"


def reply(question: str, shown: str) -> str:
    """A stand-in model: rewrites the follow-up, and answers from the sentence it is shown."""
    if question.startswith("Conversation:"):
        return REWRITTEN
    if "Monday" in shown and "When" in question:
        return "Lee meets Xi Jinping on Monday."
    if "Xi Jinping" in shown:
        return "Lee meets Xi Jinping."
    return "NONE"


@pytest.fixture
def chat(seeds_index_dir, fake_llm, capsys):
    """Run a session on scripted lines; returns (stdout, stderr, the fake model, what ingest got)."""

    def session(*lines: str, llm=None):
        model = llm or fake_llm(reply)
        ingested = []
        script = iter(lines)

        def read(prompt: str) -> str:
            try:
                return next(script)
            except StopIteration:
                raise EOFError from None

        run(Rag(Settings(index_dir=seeds_index_dir, threads=2), model), lambda rag, paths: ingested.append(paths), read)
        captured = capsys.readouterr()
        return captured.out, captured.err, model, ingested

    return session


def test_a_follow_up_is_rewritten_shown_and_answered_from_the_rewrite(chat):
    out, err, _, _ = chat("Who does Lee meet in Beijing?", FOLLOW_UP)
    assert f"→ {REWRITTEN}" in err
    assert "Lee meets Xi Jinping on Monday" in out
    assert "Sources:" in out


def test_reset_forgets_the_conversation(chat):
    _, err, model, _ = chat("Who does Lee meet in Beijing?", "/reset", FOLLOW_UP)
    assert "Conversation forgotten" in err
    assert "→" not in err
    assert not any(call[-1]["content"].startswith("Conversation:") for call in model.calls)


def test_json_mode_prints_each_answer_as_one_object(chat):
    out, _, _, _ = chat("/json", "Who does Lee meet in Beijing?")
    answer = json.loads(out)
    assert "Xi Jinping" in answer["answer"] and answer["citations"]


def test_k_changes_how_many_passages_the_next_answer_reads(chat):
    out, _, _, _ = chat("/k 2", "/json", "Who does Lee meet in Beijing?")
    assert len(json.loads(out)["citations"]) <= 2
    _, err, model, _ = chat("/k 2", "Who does Lee meet in Beijing?")
    assert "k = 2" in err and len(model.calls) == 2  # one extraction call per sentence shown


def test_sources_and_one_source_show_the_last_answers_passages(chat):
    out, err, _, _ = chat("/sources", "Who does Lee meet in Beijing?", "/sources", "/source 1", "/source 9")
    assert "No answer yet" in err
    assert all(f"[{n}] seeds/" in out for n in range(1, 5))  # /sources shows every passage read
    assert out.count("[1] seeds/") >= 2  # and /source 1 the first again
    assert "/source N shows passage N of the last answer (1-4)" in err


def test_ingest_is_handed_the_paths_and_a_bare_ingest_gets_a_hint(chat, tmp_path):
    _, err, _, ingested = chat(f"/ingest {tmp_path}", "/ingest")
    assert ingested == [[tmp_path]]
    assert "/ingest PATH" in err


def test_unknown_commands_get_a_hint_and_the_session_goes_on(chat):
    out, err, _, _ = chat("/frobnicate", 'Who does Lee "meet', "/source 'x", "Who does Lee meet in Beijing?")
    assert "Unknown command /frobnicate; /help lists them." in err
    assert "Cannot read that command" in err
    assert "Xi Jinping" in out


def test_a_question_can_go_on_over_lines_ending_in_a_backslash(chat):
    _, _, model, _ = chat("Who does Lee \\", "meet in Beijing?")
    assert "Question: Who does Lee meet in Beijing?" in model.calls[0][-1]["content"]


def test_a_failing_model_server_is_one_line_and_the_session_goes_on(chat, fake_llm):
    answers = iter([ProviderError("cannot reach http://127.0.0.1:9/v1; is the server running?")])

    def flaky(question: str, shown: str) -> str:
        error = next(answers, None)
        if error:
            raise error
        return reply(question, shown)

    out, err, _, _ = chat("Who does Lee meet in Beijing?", "Who does Lee meet in Beijing?", llm=fake_llm(flaky))
    assert "error: cannot reach http://127.0.0.1:9/v1" in err and "Traceback" not in err
    assert "Xi Jinping" in out


def test_history_is_kept_beside_the_index(chat, seeds_index_dir):
    chat("Who does Lee meet in Beijing?")
    assert "Who does Lee meet in Beijing?" in (seeds_index_dir / "chat_history").read_text()


def test_a_pasted_question_over_several_lines_is_one_question_and_one_history_line(chat, seeds_index_dir):
    out, _, model, _ = chat("Who does Lee\n  meet in\r\nBeijing?")
    assert "Lee meets Xi Jinping" in out
    asked = {call[-1]["content"].partition("\n")[0] for call in model.calls}
    assert asked == {"Question: Who does Lee meet in Beijing?"}
    assert "Who does Lee meet in Beijing?" in (seeds_index_dir / "chat_history").read_text().splitlines()


def test_the_model_reads_the_extraction_prompt_while_the_first_question_is_typed(chat):
    _, _, model, _ = chat()
    assert model.primed[0]["content"] == resources.few_shot("extract")[0]
    assert model.calls == []


def test_an_answer_lists_its_sources_one_line_each(chat):
    out, _, _, _ = chat("Who does Lee meet in Beijing?")
    listed = [line for line in out.partition("Sources:")[2].splitlines() if line.strip()]
    assert listed and all(line.startswith("[") and " seeds/" in line and "Xi Jinping" in line for line in listed)


def test_source_filter_limits_the_next_answers_to_the_matching_documents_until_cleared(chat):
    first, second = "seeds/000_2700a83b44745f36.txt", "seeds/003_84942052fcf9cf94.txt"
    out, err, _, _ = chat(
        "/source-filter *003_*",
        "/json",
        "Who does Lee meet in Beijing?",
        "/source-filter nothing-like-this*",
        "Who does Lee meet in Beijing?",
        "/source-filter",
        "Who does Lee meet in Beijing?",
    )
    decoder, answers, at = json.JSONDecoder(), [], out.find("{")
    while at >= 0:
        answer, end = decoder.raw_decode(out, at)
        answers.append(answer)
        at = out.find("{", end)
    cited = [{c["source"] for c in answer["citations"]} for answer in answers]
    assert cited[0] == {second} and cited[1] == {second}  # a filter matching nothing is refused; the last one holds
    assert first in cited[2]
    assert "Searching only *003_*" in err and "matches none of the 2 indexed" in err and "Searching every document" in err
