"""Remote models through the real `openai` client and real HTTP, against a scripted server on
127.0.0.1: how `rag ask` behaves when the server refuses, fails, stalls or talks nonsense."""

from __future__ import annotations

import json

import pytest
from commands import free_port
from fake_openai import FakeOpenAI, Reply
from typer.testing import CliRunner

from rag.cli import EXIT_PROVIDER, EXIT_USAGE, app
from rag.config import Settings
from rag.models import providers as models

KEY = "sk-test-0123456789abcdefXYZ"
QUESTION = "Who does Lee meet in Beijing?"


@pytest.fixture
def ask(seeds_index_dir, tmp_path, monkeypatch):
    """Run `rag ask` in-process against a server, with a key, fast retries and a short timeout."""
    monkeypatch.chdir(tmp_path)

    def run(url: str, *args: str, **env: str):
        settings = {"RAG_INDEX_DIR": str(seeds_index_dir), "RAG_LLM_BASE_URL": url, "RAG_LLM_API_KEY": KEY, "RAG_LLM_TIMEOUT": "5", **env}
        return CliRunner().invoke(app, ["ask", QUESTION, *args], env=settings)

    return run


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    assert KEY not in result.output + result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("configured", "provider"),
    [
        ({}, models.LOCAL),
        ({"llm_base_url": "http://127.0.0.1:8080/v1"}, models.COMPATIBLE),
        ({"llm_api_key": KEY}, models.OPENAI),
        ({"llm_api_key": KEY, "llm": "local"}, models.LOCAL),
    ],
)
def test_auto_uses_the_embedded_model_unless_a_key_or_server_is_configured(configured, provider):
    assert models.llm_provider(Settings(**configured)) == provider


@pytest.mark.parametrize(
    ("configured", "strategy"),
    [
        ({}, models.EXTRACT),
        ({"llm_model_path": "/models/other.gguf"}, models.EXTRACT),
        ({"llm_base_url": "http://127.0.0.1:8080/v1"}, models.SINGLE),
        ({"llm_api_key": KEY}, models.SINGLE),
        ({"llm_api_key": KEY, "draft": "extract"}, models.EXTRACT),
        ({"draft": "single"}, models.SINGLE),
    ],
)
def test_a_model_behind_an_api_drafts_in_one_prompt_and_the_embedded_one_a_sentence_at_a_time(configured, strategy):
    assert models.drafting(Settings(**configured)) == strategy


def test_a_server_model_is_asked_once_a_question_unless_told_to_extract(ask):
    with FakeOpenAI(Reply(text="Lee meets Xi Jinping.")) as server:
        assert ask(server.url).exit_code == 0
        assert len(server.requests) == 1
        assert "[2]" in server.requests[0]["messages"][-1]["content"]  # every passage, numbered
    with FakeOpenAI(Reply(text="Lee meets Xi Jinping.")) as server:
        assert ask(server.url, RAG_DRAFT="extract").exit_code == 0
        assert len(server.requests) > 1 and all(r["logprobs"] for r in server.requests)


def test_a_server_refusing_token_probabilities_is_asked_without_them(ask):
    with FakeOpenAI(Reply(status=400), Reply(text="Lee meets Xi Jinping.")) as server:
        result = ask(server.url, "--json", RAG_DRAFT="extract")
    assert result.exit_code == 0, result.stderr
    assert "Xi Jinping" in json.loads(result.stdout)["answer"]
    asked = ["logprobs" in r for r in server.requests]
    assert asked[:2] == [True, False] and not any(asked[2:])  # refused once, never asked again


def test_an_unknown_draft_strategy_is_one_line_naming_the_choices(ask):
    result = ask("http://127.0.0.1:9/v1", RAG_DRAFT="fast")
    assert result.exit_code == EXIT_USAGE
    assert "extract" in one_line_error(result)


def test_a_streamed_answer_from_the_server_is_checked_and_cited(ask):
    with FakeOpenAI(Reply(text="Lee meets Xi Jinping.")) as server:
        result = ask(server.url, "--stream-json")
    assert result.exit_code == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["event"] for e in events][-1] == "answer" and events[0]["event"] == "draft"
    answer = events[-1]
    assert "Xi Jinping" in answer["answer"] and answer["model"] == "fake-model"
    # The server cites nothing; the sentences naming Xi are found to hold its claim.
    assert answer["citations"] and all("Xi Jinping" in c["text"] for c in answer["citations"])
    assert {"first_token", "total"} <= set(answer["timings"])
    assert answer["usage"]["completion_tokens"] > 0
    assert {k.lower(): v for k, v in server.headers[0].items()}["authorization"] == f"Bearer {KEY}"
    assert server.requests[0]["stream"] is True


def test_an_invented_fact_with_an_invented_citation_is_not_shown_as_a_source(ask):
    with FakeOpenAI(Reply(text="Lee meets Kim Jong Un [9].")) as server:
        result = ask(server.url, "--json")
    assert result.exit_code == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["abstained"] and answer["citations"] == []
    assert "Kim Jong Un" not in answer["answer"]


def test_the_openai_provider_without_a_key_is_a_usage_error_naming_the_variable(ask):
    result = ask("", "--llm", "openai", RAG_LLM_API_KEY="")
    assert result.exit_code == EXIT_USAGE
    assert "OPENAI_API_KEY" in one_line_error(result)


def test_a_wrong_key_is_one_line_that_never_shows_the_key(ask):
    with FakeOpenAI(Reply(status=401)) as server:
        result = ask(server.url)
    assert result.exit_code == EXIT_PROVIDER
    assert "refused the API key (401)" in one_line_error(result)
    assert len(server.requests) == 1  # a refused key is not retried


def test_an_unreachable_server_is_one_line_naming_the_setting(ask):
    result = ask(f"http://127.0.0.1:{free_port()}/v1", RAG_LLM_MAX_RETRIES="1")
    assert result.exit_code == EXIT_PROVIDER
    line = one_line_error(result)
    assert "cannot reach" in line and "RAG_LLM_BASE_URL" in line


def test_a_server_that_stalls_times_out_after_the_bounded_retries(ask):
    with FakeOpenAI(Reply(text="late", delay=2)) as server:
        result = ask(server.url, RAG_LLM_TIMEOUT="0.3", RAG_LLM_MAX_RETRIES="1")
    assert result.exit_code == EXIT_PROVIDER
    assert "did not answer within 0.3 s after 2 tries" in one_line_error(result)


def test_a_transient_rate_limit_is_retried_and_the_answer_goes_through(ask):
    with FakeOpenAI(Reply(status=429), Reply(status=503), Reply(text="Lee meets Xi Jinping.")) as server:
        result = ask(server.url, "--json")
    assert result.exit_code == 0, result.stderr
    assert "Xi Jinping" in json.loads(result.stdout)["answer"]
    assert len(server.requests) >= 3


@pytest.mark.parametrize(("status", "message"), [(429, "rate-limiting requests (429)"), (500, "failed with HTTP 500")])
def test_a_lasting_rate_limit_or_server_error_stops_after_the_bound(ask, status, message):
    with FakeOpenAI(Reply(status=status)) as server:
        result = ask(server.url, RAG_LLM_MAX_RETRIES="2")
    assert result.exit_code == EXIT_PROVIDER
    assert f"{message} after 3 tries" in one_line_error(result)
    assert len(server.requests) == 3


@pytest.mark.parametrize("body", ["<html><body>Please log in to the proxy</body></html>", "data: {not json}\n\n"])
def test_a_reply_that_is_not_an_openai_response_is_one_line(ask, body):
    with FakeOpenAI(Reply(body=body)) as server:
        result = ask(server.url)
    assert result.exit_code == EXIT_PROVIDER
    assert "not an OpenAI-compatible response" in one_line_error(result)
