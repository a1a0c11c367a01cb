"""An ingest killed at any point, then run again, leaves the index a clean ingest would; a second
writer is turned away while the first runs."""

from __future__ import annotations

import fcntl
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from commands import RAG
from typer.testing import CliRunner

from rag.cli import app
from rag.pipeline import Rag
from rag.store.index import LOCK_FILE, Index, IndexBusy
from rag.store.keywords import KeywordIndex

TOWNS = ["Arden", "Brell", "Corvin", "Dunmore", "Elstow", "Fenwick", "Garth", "Holloway", "Ivell", "Jarrow"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """30 files of distinct sentences, a few chunks each: an ingest of some seconds."""
    root = tmp_path_factory.mktemp("crash") / "corpus"
    root.mkdir()
    for n in range(30):
        town = TOWNS[n % len(TOWNS)]
        paragraphs = [
            f"Report {n}, part {p}: the {town} council met on day {n * 7 + p} and approved {p + n} new bridges "
            f"over the river {town}water, after a debate about tolls, ferries and the old stone mill at {town} Cross. "
            f"Councillor {town}-{n}-{p} said the vote ended a dispute that began in {1900 + n + p}."
            for p in range(6)
        ]
        (root / f"report-{n:02d}.txt").write_text("\n\n".join(paragraphs))
    return root


def index_contents(index_dir: Path) -> dict:
    """Everything an ingest leaves that answers depend on."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    collection = chromadb.PersistentClient(
        path=str(index_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    ).get_collection("chunks")
    stored = collection.get(include=["documents"])
    manifest = json.loads((index_dir / "manifest.json").read_text())
    keywords = KeywordIndex.load(index_dir / "bm25")
    return {
        "vectors": sorted(zip(stored["ids"], stored["documents"])),
        "manifest": {Path(path).name: entry["chunks"] for path, entry in manifest["files"].items()},
        "keywords": sorted(keywords.ids()),
    }


def ingest(corpus: Path, index_dir: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*RAG, "ingest", str(corpus), "--index-dir", str(index_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def test_an_ingest_killed_at_several_points_and_rerun_matches_a_clean_one(corpus, tmp_path):
    clean_dir = tmp_path / "clean"
    started = time.monotonic()
    assert ingest(corpus, clean_dir).wait() == 0
    whole = time.monotonic() - started
    clean = index_contents(clean_dir)
    assert len(clean["vectors"]) >= 60 and clean["keywords"] == [chunk for chunk, _ in clean["vectors"]]

    crashed_dir = tmp_path / "crashed"
    # Start-up, embedding, storing and the keyword index at the end each get a kill.
    for share in (0.35, 0.55, 0.75, 0.9, 0.97):
        process = ingest(corpus, crashed_dir)
        time.sleep(whole * share)
        process.send_signal(signal.SIGKILL)
        process.wait()
    finished = ingest(corpus, crashed_dir)
    assert finished.wait() == 0, finished.stderr.read()
    assert index_contents(crashed_dir) == clean


def test_a_crash_after_the_last_file_but_before_the_keyword_index_is_mended_by_the_next_ingest(settings, corpus, monkeypatch):
    def killed(self):
        raise KeyboardInterrupt  # the process dies here, every file already stored

    monkeypatch.setattr(Index, "rebuild_keyword_index", killed)
    with pytest.raises(KeyboardInterrupt):
        Rag(settings).ingest([corpus])
    monkeypatch.undo()
    report = Rag(settings).ingest([corpus])
    assert report.chunks_embedded == 0 and report.unchanged == 30
    contents = index_contents(settings.index_dir)
    assert contents["keywords"] == [chunk for chunk, _ in contents["vectors"]]


def test_a_second_writer_is_turned_away_with_one_line(settings, corpus, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    settings.index_dir.mkdir(parents=True)
    with open(settings.index_dir / LOCK_FILE, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running `rag ingest` holds it
        with pytest.raises(IndexBusy):
            Rag(settings).ingest([corpus])
        result = CliRunner().invoke(app, ["ingest", str(corpus), "--index-dir", str(settings.index_dir)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: another `rag ingest` is writing to {settings.index_dir}; run this again when it has finished"
    assert Rag(settings).ingest([corpus]).indexed  # free again once the first writer is done


def test_a_reader_keeps_answering_while_an_ingest_writes(settings, corpus, tmp_path):
    reader = Rag(settings)
    reader.ingest([corpus / "report-00.txt"])
    assert reader.retrieve("Arden council bridges")
    writer = ingest(corpus, settings.index_dir)
    deadline = time.monotonic() + 120
    answered = 0
    while writer.poll() is None and time.monotonic() < deadline:
        assert reader.retrieve("Arden council bridges")[0].source.startswith("report-00")
        answered += 1
    assert writer.wait() == 0 and answered > 0


def test_a_symlink_loop_and_a_missing_path_are_skipped(settings, tmp_path):
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    (folder / "ok.txt").write_text("The Garth ferry runs at dawn.")
    report = Rag(settings).ingest([folder, tmp_path / "missing"])
    assert report.indexed == ["loop/ok.txt"]
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert reasons["missing"] == "no such file or directory"
    assert "symbolic links" in reasons["a.txt"] and "symbolic links" in reasons["b.txt"]


def test_an_unreadable_file_is_skipped_with_the_systems_reason(settings, tmp_path, monkeypatch):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "secret.txt").write_text("The Ivell vault code.")
    (folder / "open.txt").write_text("The Jarrow ferry runs at noon.")

    def guarded_open(path, *args, **kwargs):
        if Path(path).name == "secret.txt":  # chmod 000 does not stop root, who may run the tests
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr("rag.ingest.formats.open", guarded_open, raising=False)
    report = Rag(settings).ingest([folder])
    assert report.indexed == ["mixed/open.txt"]
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [("secret.txt", "Permission denied")]


def test_a_file_that_vanishes_between_hashing_and_chunking_is_skipped(settings, tmp_path, monkeypatch):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "gone.txt").write_text("The Brell mill grinds oats.")
    (folder / "kept.txt").write_text("The Jarrow ferry runs at noon.")

    def vanishing_open(path, mode="r", *args, **kwargs):
        if Path(path).name == "gone.txt" and "b" not in mode:  # read to chunk, after it was hashed
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return open(path, mode, *args, **kwargs)

    monkeypatch.setattr("rag.ingest.formats.open", vanishing_open, raising=False)
    report = Rag(settings).ingest([folder])
    assert report.indexed == ["mixed/kept.txt"]
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [("gone.txt", "No such file or directory")]
    assert list(Rag(settings).index.manifest.files) == [str(folder / "kept.txt")]
