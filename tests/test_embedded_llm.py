"""The embedded model file is assembled from its slices and never used half-made or corrupt."""

import hashlib

import pytest

from rag.models import embedded as embedded_llm


@pytest.fixture
def slices(tmp_path, monkeypatch):
    parts = []
    for i, data in enumerate([b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]):
        path = tmp_path / f"part{i}.bin"
        path.write_bytes(data)
        parts.append(path)
    whole = b"".join(p.read_bytes() for p in parts)
    monkeypatch.setattr(embedded_llm, "part_paths", lambda: parts)
    monkeypatch.setattr(embedded_llm, "SIZE", len(whole))
    monkeypatch.setattr(embedded_llm, "SHA256", hashlib.sha256(whole).hexdigest())
    return parts, whole


def test_slices_are_joined_in_order_into_the_cache(slices, tmp_path):
    _, whole = slices
    path = embedded_llm.model_path(tmp_path / "cache")
    assert path.read_bytes() == whole
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_a_corrupt_slice_leaves_no_file_behind(slices, tmp_path):
    parts, _ = slices
    parts[1].write_bytes(b"x" * 777)
    with pytest.raises(embedded_llm.ModelFileError, match="reinstall"):
        embedded_llm.model_path(tmp_path / "cache")
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_a_truncated_file_in_the_cache_is_rebuilt(slices, tmp_path):
    _, whole = slices
    target = tmp_path / "cache" / "models" / embedded_llm.FILE_NAME
    target.parent.mkdir(parents=True)
    target.write_bytes(whole[:100])
    assert embedded_llm.model_path(tmp_path / "cache").read_bytes() == whole


def test_the_real_slices_are_installed_and_add_up_to_the_model_size():
    parts = embedded_llm.part_paths()
    assert len(parts) == 22
    assert sum(p.stat().st_size for p in parts) == embedded_llm.SIZE
