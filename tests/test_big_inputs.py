"""Big inputs: a text file far larger than memory should hold is streamed, a file can span many
batches (and a crash half-way through it), and a folder of ten thousand tiny files ingests."""

from __future__ import annotations

import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
from commands import RAG
from test_crash_safety import index_contents

import rag.ingest.formats
import rag.ingest.writer
from rag.pipeline import Rag

TOWNS = ["Arden", "Brell", "Corvin", "Dunmore", "Elstow", "Fenwick", "Garth", "Holloway", "Ivell", "Jarrow"]


def long_report(lines: int) -> str:
    return "".join(
        f"Line {n}: the {TOWNS[n % 10]} council approved {n % 97} bridges in {1800 + n % 200}.\n" + ("\n" if n % 5 == 4 else "")
        for n in range(lines)
    )


def test_a_file_read_a_block_at_a_time_cites_the_lines_its_chunks_are_on(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(rag.ingest.formats, "BLOCK_CHARS", 4096)  # so this small file is read in a dozen blocks
    monkeypatch.setattr(rag.ingest.writer, "BATCH_CHUNKS", 16)  # and spans several batches
    (tmp_path / "docs").mkdir()
    report_file = tmp_path / "docs" / "report.txt"
    report_file.write_text(long_report(600))
    pipeline = Rag(settings)
    report = pipeline.ingest([tmp_path / "docs"])
    lines = report_file.read_text().splitlines()
    index = pipeline.index
    stored = index._collection().get(include=["documents", "metadatas"])
    assert report.indexed == ["docs/report.txt"] and report.chunks_embedded == len(stored["ids"]) > 3 * 16
    for text, meta in zip(stored["documents"], stored["metadatas"]):
        cited = "\n".join(lines[meta["line_start"] - 1 : meta["line_end"]])
        assert text in cited and text.splitlines()[0] in lines[meta["line_start"] - 1]
    assert sorted(index.manifest.files[str(report_file)].chunks) == sorted(stored["ids"])


def test_a_crash_half_way_through_a_file_spanning_batches_is_mended_by_the_next_ingest(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(rag.ingest.formats, "BLOCK_CHARS", 4096)
    monkeypatch.setattr(rag.ingest.writer, "BATCH_CHUNKS", 16)
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "long.txt").write_text(long_report(1000))
    (corpus / "short.txt").write_text("The Garth ferry runs at noon.")
    clean = settings.index_dir.with_name("clean")
    Rag(replace(settings, index_dir=clean)).ingest([corpus])

    real_store, stored = rag.ingest.writer.Writer._store_batch, []

    def dies_on_the_third_batch(self, *args):
        if len(stored) == 2:
            raise KeyboardInterrupt
        real_store(self, *args)
        stored.append(args[0])

    monkeypatch.setattr(rag.ingest.writer.Writer, "_store_batch", dies_on_the_third_batch)
    with pytest.raises(KeyboardInterrupt):
        Rag(settings).ingest([corpus])
    monkeypatch.setattr(rag.ingest.writer.Writer, "_store_batch", real_store)
    assert "long.txt" not in str(Rag(settings).index.manifest.files)  # stored in part, so not recorded
    Rag(settings).ingest([corpus])
    assert index_contents(settings.index_dir) == index_contents(clean)


def test_a_200_mb_text_file_is_streamed_in_bounded_memory(tmp_path):
    """Peak memory once the first batch of a 200 MB file is stored, against a small file's whole ingest."""
    small, big = tmp_path / "small", tmp_path / "big"
    small.mkdir()
    big.mkdir()
    block = long_report(2_000)
    (small / "report.txt").write_text(block)
    with open(big / "report.txt", "w") as out:
        while out.tell() < 200 * 2**20:
            out.write(block)
    small_peak = peak_memory_of_ingest(small, tmp_path / "small-index", until_first_batch=False)
    limit = small_peak + 100 * 2**20
    big_peak = peak_memory_of_ingest(big, tmp_path / "big-index", until_first_batch=True, limit=limit)
    assert big_peak < limit, f"{big_peak / 2**20:.0f} MiB against {small_peak / 2**20:.0f} MiB for a small file"


def peak_memory_of_ingest(corpus: Path, index_dir: Path, until_first_batch: bool, limit: float = float("inf")) -> int:
    """The kernel's record of the process's peak resident memory (VmHWM), read just before it
    ends, or once it has stored its first batch (the manifest appears) for a run then killed,
    or once it passes `limit`."""
    process = subprocess.Popen(
        [*RAG, "ingest", str(corpus), "--index-dir", str(index_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peak = 0
    try:
        while process.poll() is None and peak < limit and not (until_first_batch and (index_dir / "manifest.json").exists()):
            peak = max(peak, _vm_hwm(process.pid))
            time.sleep(0.05)
        peak = max(peak, _vm_hwm(process.pid))
        assert until_first_batch or process.returncode == 0
        assert not until_first_batch or process.poll() is None, "the ingest of the big file ended early"
    finally:
        process.kill()
        process.wait()
    return peak


def _vm_hwm(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:  # it has just ended
        return 0
    kib = next((line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")), "0")
    return int(kib) * 1024


def test_ten_thousand_tiny_files_ingest_and_are_found(settings, tmp_path):
    corpus = tmp_path / "notes"
    corpus.mkdir()
    for n in range(10_000):
        (corpus / f"note-{n:05d}.txt").write_text(f"Note {n}: the {TOWNS[n % 10]} ferry leaves at {n % 24} o'clock from pier {n}.")
    rag_ = Rag(settings)
    report = rag_.ingest([corpus])
    assert len(report.indexed) == 10_000 and report.chunks_embedded == 10_000 and report.skipped == []
    assert [p.source for p in rag_.retrieve("Which ferry leaves from pier 7777?")][:1] == ["notes/note-07777.txt"]
    again = Rag(settings).ingest([corpus])
    assert (again.unchanged, again.chunks_embedded, again.indexed) == (10_000, 0, [])
