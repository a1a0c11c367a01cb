"""A small wiki for bridge questions: Marta Quell's page names the town she was born in, and that
town's page holds the answer; other towns' pages share the question's words but not her."""

from __future__ import annotations

from pathlib import Path

MARTA_QUELL = "Marta Quell (born 14 March 1958) is a retired race walker. She was born in Harrow Vale and grew up by the sea."


def write_wiki(folder: Path, pages: dict[str, str]) -> Path:
    """Marta Quell's page and `pages` (title -> text), each a markdown file opening with its title."""
    folder.mkdir()
    for title, text in {"Marta Quell": MARTA_QUELL, **pages}.items():
        (folder / f"{title.lower().replace(' ', '-')}.md").write_text(f"# {title}\n\n{text}\n")
    return folder
