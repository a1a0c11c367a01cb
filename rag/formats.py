"""Turn each supported kind of file into plain text, remembering where each page begins for
paged formats, so that citations can name the page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PAGE_BREAK = "\n\n"  # between the pages of a PDF in the extracted text


class Unreadable(ValueError):
    """The file cannot be turned into text; the message is the reason the ingest report shows."""


@dataclass(frozen=True)
class Extracted:
    text: str
    page_starts: tuple[int, ...] = ()  # offset in `text` where each page begins; () for unpaged formats
    warning: str = ""  # e.g. the text was not UTF-8 and was decoded with a fallback

    def sections(self) -> list[tuple[int, int, str]]:
        """(page from 1, offset, text) of each page, which chunks never cross; for an unpaged
        format one section, the whole text, on page 0."""
        if not self.page_starts:
            return [(0, 0, self.text)]
        ends = [start - len(PAGE_BREAK) for start in self.page_starts[1:]] + [len(self.text)]
        return [(n, start, self.text[start:end]) for n, (start, end) in enumerate(zip(self.page_starts, ends), start=1)]


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


def _plain(path: Path) -> Extracted:
    data = path.read_bytes()
    if b"\0" in data:
        raise Unreadable("binary content (NUL bytes) in a text file")
    try:
        return Extracted(data.decode("utf-8"))
    except UnicodeDecodeError:
        # Legacy encodings are common in real folders; keep the text rather than lose the file.
        return Extracted(data.decode("cp1252", errors="replace"), warning="not UTF-8: read as Windows-1252")


def _html(path: Path) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_plain(path).text, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template", "head"]):
        hidden.decompose()
    lines = (" ".join(line.split()) for line in soup.get_text("\n").splitlines())
    return Extracted("\n".join(line for line in lines if line))


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
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + len(PAGE_BREAK)
    return Extracted(PAGE_BREAK.join(pages), tuple(starts))


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
    return Extracted("\n".join(p for p in paragraphs if p.strip()))


_READERS: dict[str, Callable[[Path], Extracted]] = {
    ".txt": _plain,
    ".md": _plain,
    ".markdown": _plain,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}
