"""Turn each supported kind of file into sections of plain text, each knowing the line (and for
paged formats the page) it begins on, so that citations can name where a passage is.

Text and markdown files are streamed: read, hashed and later chunked a block at a time, so that a
file of hundreds of megabytes never sits in memory whole."""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

BLOCK_CHARS = 1 << 20  # the most text one streamed section holds; chunks never cross sections
PAGE_BREAK = "\n\n"  # between the pages of a PDF, for line numbering
HEADING_TRAIL = " › "
_HEADING = re.compile(r" {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_HEADING_LINE = re.compile(r"^ {0,3}#{1,6}[ \t]+.*$", re.MULTILINE)
_FENCE = re.compile(r" {0,3}(```|~~~)")


class Unreadable(ValueError):
    """The file cannot be turned into text; the message is the reason the ingest report shows."""


@dataclass(frozen=True)
class Section:
    text: str
    line: int  # the line it begins on, from 1
    page: int = 0  # from 1 for paged formats (a section is one page); 0 otherwise
    heading: str = ""  # markdown: the headings it sits under, outermost first


@dataclass(frozen=True)
class Extracted:
    digest: str  # of the text: unchanged text is never embedded again
    size: int  # characters of text
    sections: Callable[[], Iterator[Section]]  # the text a section at a time; streamed files are read again
    heading_aware: bool = False  # sections are cut at markdown headings
    warning: str = ""  # e.g. the text was not UTF-8 and was decoded with a fallback


def extract(path: Path) -> Extracted:
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise Unreadable(unsupported(path))
    return reader(path)


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in _READERS


def unsupported(path: Path) -> str:
    """The reason a file of a kind no reader handles is skipped."""
    return f"unsupported file type {path.suffix or '(none)'}"


def without_headings(text: str) -> str:
    """Markdown heading lines blanked out, every other character where it was: a heading is the
    context of a passage's sentences (Passage.heading), not a sentence to answer from."""
    return _HEADING_LINE.sub(lambda line: " " * len(line.group()), text)


def _content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _in_memory(text: str, pages: list[str] | None = None) -> Extracted:
    """A format whose parser gives the whole text at once; a PDF gives a section per page."""
    if not text.strip():
        raise Unreadable("no text in it")
    if pages is None:
        sections = [Section(text, 1)]
    else:
        sections, line = [], 1
        for number, page in enumerate(pages, start=1):
            sections.append(Section(page, line, page=number))
            line += page.count("\n") + PAGE_BREAK.count("\n")
    return Extracted(_content_hash(text), len(text), lambda: iter(sections))


# -- text and markdown, streamed ------------------------------------------------------------


def _plain(path: Path, markdown: bool = False) -> Extracted:
    encoding, warning = "utf-8", ""
    try:
        digest, size = _scan(path, encoding)
    except UnicodeDecodeError:
        # Legacy encodings are common in real folders; keep the text rather than lose the file.
        encoding, warning = "cp1252", "not UTF-8: read as Windows-1252"
        digest, size = _scan(path, encoding)

    def sections() -> Iterator[Section]:
        with open(path, encoding=encoding, errors="replace", newline="") as handle:
            yield from _sections(iter(lambda: handle.readline(BLOCK_CHARS), ""), markdown)

    return Extracted(digest, size, sections, heading_aware=markdown, warning=warning)


def _markdown(path: Path) -> Extracted:
    return _plain(path, markdown=True)


def _scan(path: Path, encoding: str) -> tuple[str, int]:
    """The text's digest and length, checking a block at a time that it is text and not blank."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict" if encoding == "utf-8" else "replace")
    digest, blank, size = hashlib.sha256(), True, 0
    with open(path, "rb") as handle:
        while data := handle.read(BLOCK_CHARS):
            if b"\0" in data:
                raise Unreadable("binary content (NUL bytes) in a text file")
            text = decoder.decode(data)
            digest.update(text.encode("utf-8"))
            blank = blank and not text.strip()
            size += len(text)
        digest.update(decoder.decode(b"", final=True).encode("utf-8"))
    if blank:
        raise Unreadable("no text in it")
    return digest.hexdigest(), size


def _sections(lines: Iterable[str], markdown: bool) -> Iterator[Section]:
    """Sections of up to BLOCK_CHARS, cut at a blank line once past half of that; markdown is
    also cut at each heading, and its sections carry the trail of headings they sit under."""
    run: list[str] = []
    size, first, number, fenced = 0, 1, 1, False
    trail: list[tuple[int, str]] = []
    for line in lines:
        heading = _HEADING.match(line.rstrip("\r\n")) if markdown and not fenced else None
        fenced ^= bool(markdown and _FENCE.match(line))
        if run and (heading or size >= BLOCK_CHARS or (size >= BLOCK_CHARS // 2 and not line.strip())):
            yield Section("".join(run), first, heading=_trail(trail))
            run, size, first = [], 0, number
        if heading:
            level = len(heading.group(1))
            trail = [(lvl, title) for lvl, title in trail if lvl < level] + [(level, heading.group(2))]
        run.append(line)
        size += len(line)
        number += line.endswith("\n")  # a line longer than BLOCK_CHARS comes in pieces
    if run:
        yield Section("".join(run), first, heading=_trail(trail))


def _trail(trail: list[tuple[int, str]]) -> str:
    return HEADING_TRAIL.join(title for _, title in trail)


# -- other formats --------------------------------------------------------------------------


def _decoded(path: Path) -> str:
    data = path.read_bytes()
    if b"\0" in data:
        raise Unreadable("binary content (NUL bytes) in a text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _html(path: Path) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decoded(path), "html.parser")
    for hidden in soup(["script", "style", "noscript", "template", "head"]):
        hidden.decompose()
    lines = (" ".join(line.split()) for line in soup.get_text("\n").splitlines())
    return _in_memory("\n".join(line for line in lines if line))


def _pdf(path: Path) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        locked = reader.is_encrypted and not reader.decrypt("")
        pages = [] if locked else [(page.extract_text() or "").strip() for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"not a readable PDF ({type(exc).__name__})") from exc
    if locked:
        raise Unreadable("encrypted PDF (needs a password)")
    return _in_memory(PAGE_BREAK.join(pages), pages)


def _docx(path: Path) -> Extracted:
    import zipfile

    from docx import Document
    from docx.opc.exceptions import OpcError

    try:
        document = Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise Unreadable(f"not a readable .docx ({type(exc).__name__})") from exc
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        paragraphs += [" | ".join(cell.text for cell in row.cells) for row in table.rows]
    return _in_memory("\n".join(p for p in paragraphs if p.strip()))


_READERS: dict[str, Callable[[Path], Extracted]] = {
    ".txt": _plain,
    ".md": _markdown,
    ".markdown": _markdown,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}
