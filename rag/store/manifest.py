"""What the index holds, per file: the manifest, written only after a file's chunks are stored."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


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
