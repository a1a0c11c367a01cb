import json

import pytest
from typer.testing import CliRunner

from rag.cli import app
from rag.config import ConfigError, load_settings, resolve
from rag.policy import knobs

KEY = "sk-proj-abcdefghijklmnop1234"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A user config folder of its own, and no provider variables from the machine running the tests."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "RAG_LLM",
        "RAG_LLM_API_KEY",
        "RAG_LLM_BASE_URL",
        "RAG_K",
        "RAG_INDEX_DIR",
        "RAG_THREADS",
    ):
        monkeypatch.delenv(var, raising=False)
    user_file = tmp_path / "config" / "rag" / "config.toml"
    user_file.parent.mkdir(parents=True)
    return user_file


def test_each_layer_beats_the_one_below(tmp_path, home, monkeypatch):
    home.write_text("k = 5\nchunk_tokens = 120\nchunk_overlap = 10\nmin_evidence = 0.3\nthreads = 1\n")
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'x'\n[tool.rag]\nk = 6\nchunk_tokens = 130\nchunk_overlap = 20\nmin_evidence = 0.4\n"
    )
    (tmp_path / "rag.toml").write_text("k = 7\nchunk_tokens = 150\nchunk_overlap = 30\n")
    monkeypatch.setenv("RAG_K", "9")
    monkeypatch.setenv("RAG_CHUNK_TOKENS", "160")
    resolved = resolve({"k": 11}, cwd=tmp_path)
    settings, sources = resolved.settings, resolved.sources
    assert (settings.k, sources["k"]) == (11, "flag --k")
    assert (settings.chunk_tokens, sources["chunk_tokens"]) == (160, "env RAG_CHUNK_TOKENS")
    assert (settings.chunk_overlap, sources["chunk_overlap"]) == (30, str(tmp_path / "rag.toml"))
    assert (settings.policy.min_evidence, sources["min_evidence"]) == (0.4, f"{tmp_path / 'pyproject.toml'} [tool.rag]")
    assert (settings.threads, sources["threads"]) == (1, str(home))
    assert (settings.llm_context_tokens, sources["llm_context_tokens"]) == (4096, "default")


def test_rag_variables_beat_the_ones_the_openai_package_reads(tmp_path, home, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai-variable")
    assert resolve(cwd=tmp_path).sources["llm_api_key"] == "env OPENAI_API_KEY"
    monkeypatch.setenv("RAG_LLM_API_KEY", KEY)
    resolved = resolve(cwd=tmp_path)
    assert (resolved.settings.llm_api_key, resolved.sources["llm_api_key"]) == (KEY, "env RAG_LLM_API_KEY")


def test_api_keys_are_masked_wherever_settings_are_shown(tmp_path, home, monkeypatch):
    monkeypatch.setenv("RAG_LLM_API_KEY", KEY)
    resolved = resolve(cwd=tmp_path)
    shown = dict((name, value) for name, value, _ in resolved.rows())
    assert shown["llm_api_key"] == "…1234"
    assert KEY not in repr(resolved.settings)


def test_rag_config_shows_values_sources_and_the_model_that_answers(tmp_path, home, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rag.toml").write_text("k = 7\n")
    monkeypatch.setenv("RAG_LLM_API_KEY", KEY)
    result = CliRunner().invoke(app, ["config", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["settings"]["k"] == {"value": "7", "source": str(tmp_path / "rag.toml")}
    assert data["settings"]["llm"]["source"] == "default"
    assert data["llm_provider"] == "openai"  # auto, with a key configured
    table = CliRunner().invoke(app, ["config"], env={"COLUMNS": "200"})
    assert "env RAG_LLM_API_KEY" in table.output
    assert KEY not in result.output + table.output


def test_bad_values_name_the_setting_and_where_it_was_set(tmp_path, home, monkeypatch):
    monkeypatch.setenv("RAG_K", "many")
    with pytest.raises(ConfigError, match=r"k must be .*\(env RAG_K\)"):
        load_settings(cwd=tmp_path)


def test_unknown_key_in_a_file_is_refused(tmp_path, home):
    (tmp_path / "rag.toml").write_text("kk = 3\n")
    with pytest.raises(ConfigError, match="kk"):
        load_settings(cwd=tmp_path)
    home.write_text("llm_key = 'x'\n")
    with pytest.raises(ConfigError, match=f"{home}.*llm_key"):
        load_settings(cwd=tmp_path / "elsewhere")


def test_every_policy_value_is_a_setting_shown_with_where_it_came_from(tmp_path, home, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rag.toml").write_text("keyword_weight = 0.7\n")
    monkeypatch.setenv("RAG_MAX_SOURCES", "2")
    settings = load_settings(cwd=tmp_path)
    assert (settings.policy.keyword_weight, settings.policy.max_sources) == (0.7, 2)
    shown = json.loads(CliRunner().invoke(app, ["config", "--json"]).output)["settings"]
    assert shown["keyword_weight"] == {"value": "0.7", "source": str(tmp_path / "rag.toml")}
    assert shown["max_sources"] == {"value": "2", "source": "env RAG_MAX_SOURCES"}
    assert set(knobs()) <= set(shown)


def test_set_changes_one_policy_value_and_refuses_anything_else(tmp_path, home):
    resolved = resolve(cwd=tmp_path, assignments=["min_evidence=0.9", "extractive_max=1"])
    assert (resolved.settings.policy.min_evidence, resolved.sources["min_evidence"]) == (0.9, "flag --set")
    assert resolved.settings.policy.extractive_max == 1
    for wrong in ("k=3", "min_evidence", "no_such_value=1"):
        with pytest.raises(ConfigError, match="--set"):
            resolve(cwd=tmp_path, assignments=[wrong])
    with pytest.raises(ConfigError, match="min_evidence must be a number"):
        resolve(cwd=tmp_path, assignments=["min_evidence=high"])


def test_eval_with_an_unknown_policy_value_stops_with_one_line_and_exit_2(tmp_path, home, monkeypatch):
    monkeypatch.chdir(tmp_path)
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "q1", "question": "Who?", "answers": ["Ada"], "type": "who"}\n')
    result = CliRunner().invoke(app, ["eval", str(gold), "--set", "keyword_wieght=0.6"])
    assert result.exit_code == 2
    assert "keyword_wieght" in result.output and "Traceback" not in result.output
