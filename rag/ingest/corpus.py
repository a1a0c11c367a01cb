"""Find and read the files of a corpus, and remember what was indexed (the manifest)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
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


@dataclass
class FileEntry:
    source: str
    hash: str
    chunks: list[str]
    chunking: str  # per file: a re-chunking interrupted half-way must redo the rest next time


@dataclass
class Manifest:
    """What the index holds, per file. Written only after the chunks are in the store."""

    embedder: str = ""
    dimension: int = 0  # of the embedder's vectors; 0 in indexes from before it was recorded
    keywords: str = ""  # chunk_digest() of the chunks the keyword index was last built from
    files: dict[str, FileEntry] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if not path.is_file():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            embedder=data.get("embedder", ""),
            dimension=int(data.get("dimension", 0)),
            keywords=data.get("keywords", ""),
            files={k: FileEntry(**v) for k, v in data.get("files", {}).items()},
        )

    def save(self, path: Path) -> None:
        data = {
            "embedder": self.embedder,
            "dimension": self.dimension,
            "keywords": self.keywords,
            "files": {k: vars(v) for k, v in sorted(self.files.items())},
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)

    def chunk_digest(self) -> str:
        """One hash of every chunk id the manifest lists: it changes whenever the chunks do."""
        ids = sorted(chunk for entry in self.files.values() for chunk in entry.chunks)
        return hashlib.sha256("\n".join(ids).encode()).hexdigest()

    def chunk_count(self) -> int:
        return sum(len(entry.chunks) for entry in self.files.values())
