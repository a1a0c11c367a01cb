"""Every supported format ingests and cites with its location; broken files are skipped with the
reason and never stop the rest."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from rag.cli import EXIT_PARTIAL, app
from rag.ingest.formats import Unreadable, extract
from rag.pipeline import Rag

LIGHTHOUSE = "The Varne lighthouse was built in 1872 by the engineer Tomas Brell."
KEEPER = "Its last keeper, Ada Morrow, left the lighthouse in 1987 when the lamp was automated."
ORCHARD = "The Hollin orchard grows forty kinds of pear."
GLASS = "The Cullet glassworks fired its first furnace in 1811."


def make_pdf(path, pages: list[str]) -> None:
    """A minimal PDF, one line of Helvetica text per page, written by hand (no PDF writer in
    the dependencies)."""
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(pages):
        stream = f"BT /F1 10 Tf 40 720 Td ({text}) Tj ET".encode()
        bodies.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        bodies.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    data, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(data))
        data += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(data)
    data += f"xref\n0 {len(bodies) + 1}\n0000000000 65535 f \n".encode()
    data += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    data += f"trailer\n<< /Size {len(bodies) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(data)


def make_docx(path) -> None:
    from docx import Document

    document = Document()
    document.add_heading("Hollin orchard", level=1)
    document.add_paragraph(ORCHARD)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "Founded", "1903"
    document.save(str(path))


@pytest.fixture
def documents(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    make_pdf(folder / "varne.pdf", [LIGHTHOUSE, KEEPER])
    make_docx(folder / "hollin.docx")
    (folder / "cullet.html").write_text(
        f"<html><head><title>Cullet</title><style>p {{color: red}}</style></head><body>"
        f"<script>var secret = 'Do not index this script';</script><h1>Cullet glassworks</h1><p>{GLASS}</p></body></html>"
    )
    (folder / "notes.md").write_text("# Notes\n\nThe ferry to Varne leaves at dawn.\n")
    return folder


def test_pdf_html_docx_and_markdown_all_ingest(settings, documents):
    report = Rag(settings).ingest([documents])
    assert sorted(report.indexed) == ["docs/cullet.html", "docs/hollin.docx", "docs/notes.md", "docs/varne.pdf"]
    assert report.skipped == []


def test_a_pdf_passage_is_cited_by_its_page(settings, documents):
    rag = Rag(settings)
    rag.ingest([documents])
    best = rag.context("Who was the last keeper of the Varne lighthouse?")[0]
    assert best.source == "docs/varne.pdf" and "Ada Morrow" in best.text
    assert best.span == "p. 2"


def test_html_is_read_as_its_text_without_markup_scripts_or_styles(documents):
    text = " ".join(s.text for s in extract(documents / "cullet.html").sections())
    assert GLASS in text and "Cullet glassworks" in text
    assert "secret" not in text and "color" not in text and "<" not in text


def test_docx_paragraphs_headings_and_tables_are_read(documents):
    text = " ".join(s.text for s in extract(documents / "hollin.docx").sections())
    assert "Hollin orchard" in text and ORCHARD in text and "Founded | 1903" in text


def test_ask_cites_the_pdf_page_end_to_end(settings, documents, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    index = str(settings.index_dir)
    assert CliRunner().invoke(app, ["ingest", str(documents), "--index-dir", index]).exit_code == 0
    result = CliRunner().invoke(app, ["ask", "When did Ada Morrow leave the lighthouse?", "--llm", "none", "--json", "--index-dir", index])
    answer = json.loads(result.stdout)
    assert "1987" in answer["answer"]
    assert [(c["source"], c["span"]) for c in answer["citations"]] == [("docs/varne.pdf", "p. 2")]


GUIDE = """# Varne guide

The island lies two miles off the coast.

## The lighthouse

It was built in 1872 by the engineer Tomas Brell.

## Getting there

### By ferry

```
# this is a shell comment, not a heading
```
It leaves the harbour at dawn and takes forty minutes.
"""


def test_markdown_passages_carry_the_headings_they_sit_under(settings, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(GUIDE)
    rag = Rag(settings)
    rag.ingest([tmp_path / "docs"])
    built = rag.context("When was the lighthouse on Varne built?")[0]
    assert (built.text, built.heading, built.span) == (
        "It was built in 1872 by the engineer Tomas Brell.",
        "Varne guide › The lighthouse",
        "L7",
    )
    ferry = rag.context("How long does the ferry take?")[0]
    assert ferry.heading == "Varne guide › Getting there › By ferry" and "forty minutes" in ferry.text


def test_ask_shows_the_heading_of_a_cited_markdown_passage(settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "guide.md").write_text(GUIDE)
    index = str(settings.index_dir)
    assert CliRunner().invoke(app, ["ingest", str(tmp_path / "docs"), "--index-dir", index]).exit_code == 0
    question = ["ask", "Who built the lighthouse on Varne?", "--llm", "none", "--index-dir", index]
    cited = json.loads(CliRunner().invoke(app, [*question, "--json"]).stdout)["citations"]
    assert [(c["source"], c["span"], c["heading"]) for c in cited] == [("docs/guide.md", "L7", "Varne guide › The lighthouse")]
    assert "docs/guide.md L7 § Varne guide › The lighthouse" in CliRunner().invoke(app, question).stdout


def encrypted_copy(source, target) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=source)
    writer.encrypt("secret")
    with open(target, "wb") as out:
        writer.write(out)


@pytest.mark.parametrize(
    ("name", "write", "reason"),
    [
        ("locked.pdf", lambda path, docs: encrypted_copy(docs / "varne.pdf", path), "encrypted PDF (needs a password)"),
        ("broken.pdf", lambda path, docs: path.write_bytes(b"%PDF-1.4\nthis is not a pdf at all"), "not a readable PDF"),
        ("broken.docx", lambda path, docs: path.write_bytes(b"PK\x03\x04 not a zip"), "not a readable .docx"),
        ("nul.txt", lambda path, docs: path.write_bytes(b"text\x00\x01\x02 binary"), "binary content (NUL bytes) in a text file"),
        ("blank.md", lambda path, docs: path.write_text(" \n\t\n"), "no text in it"),
        ("empty.txt", lambda path, docs: path.write_bytes(b""), "no text in it"),
        ("image.png", lambda path, docs: path.write_bytes(b"\x89PNG\r\n"), "unsupported file type .png"),
    ],
)
def test_a_broken_file_is_skipped_with_its_reason_and_the_rest_is_indexed(settings, documents, name, write, reason):
    write(documents / name, documents)
    report = Rag(settings).ingest([documents])
    assert [(s.path.rsplit("/", 1)[-1], s.reason.startswith(reason)) for s in report.skipped] == [(name, True)]
    assert len(report.indexed) == 4


def test_text_that_is_not_utf8_is_indexed_with_a_warning(settings, tmp_path):
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Caf\u00e9 Brell opened in 1872.".encode("cp1252"))
    report = Rag(settings).ingest([legacy])
    assert report.indexed == ["legacy.txt"]
    assert [w.reason for w in report.warnings] == ["not UTF-8: read as Windows-1252"]
    assert "Café" in " ".join(s.text for s in extract(legacy).sections())


def test_the_cli_exits_3_and_lists_what_it_skipped(settings, documents, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (documents / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    result = CliRunner().invoke(app, ["ingest", str(documents), "--index-dir", str(settings.index_dir)])
    assert result.exit_code == EXIT_PARTIAL
    assert "skipped" in result.stderr and "broken.pdf: not a readable PDF" in result.stderr
    assert "Indexed 4 file(s)" in result.stderr


def test_an_unsupported_suffix_is_refused_by_the_reader(tmp_path):
    with pytest.raises(Unreadable, match="unsupported file type .xyz"):
        extract(tmp_path / "data.xyz")
