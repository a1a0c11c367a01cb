"""Find the files of a corpus: every supported file under the paths given, and why any other was skipped."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rag.ingest.formats import is_supported, unsupported


@dataclass(frozen=True)
class SourceFile:
    path: Path  # absolute; the key in the manifest
    source: str  # the name users see, relative to the folder they ingested


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def find_files(paths: list[Path]) -> tuple[list[SourceFile], list[Skipped]]:
    """Every supported file under `paths`, plus what was passed over and why."""
    found: dict[Path, SourceFile] = {}
    skipped: list[Skipped] = []
    for given in paths:
        root = given.expanduser().resolve()
        if not root.exists():
            skipped.append(Skipped(str(given), "no such file or directory"))
        elif root.is_file():
            if is_supported(root):
                found.setdefault(root, SourceFile(root, root.name))
            else:
                skipped.append(Skipped(str(given), unsupported(root)))
        else:
            for path in _walk(root):
                if is_supported(path):
                    found.setdefault(path, SourceFile(path, f"{root.name}/{path.relative_to(root)}"))
                else:
                    skipped.append(Skipped(str(path), unsupported(path)))
    return sorted(found.values(), key=lambda f: f.source), skipped


def _walk(root: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        files.extend(Path(dirpath) / name for name in filenames if not name.startswith("."))
    return sorted(files)
