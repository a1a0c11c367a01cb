from pathlib import Path

import pytest

from rag.config import ConfigError, load_settings


def test_flags_beat_environment_beat_file_beat_defaults(tmp_path, monkeypatch):
    (tmp_path / "rag.toml").write_text('k = 7\nindex_dir = "from-file"\nchunk_tokens = 150\n')
    monkeypatch.setenv("RAG_K", "9")
    monkeypatch.setenv("RAG_INDEX_DIR", "from-env")
    settings = load_settings({"k": 11}, cwd=tmp_path)
    assert settings.k == 11
    assert settings.index_dir == Path("from-env")
    assert settings.chunk_tokens == 150
    assert settings.chunk_overlap == 40


def test_bad_values_name_the_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_K", "many")
    with pytest.raises(ConfigError, match="k must be"):
        load_settings(cwd=tmp_path)


def test_unknown_key_in_file_is_refused(tmp_path):
    (tmp_path / "rag.toml").write_text("kk = 3\n")
    with pytest.raises(ConfigError, match="kk"):
        load_settings(cwd=tmp_path)
