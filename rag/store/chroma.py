"""Where the vectors live: Chroma on disk inside the index folder (the default), or a Chroma
server (`chroma run`) named by `chroma_url`. The manifest and the keyword index stay in the
index folder either way."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlparse

from rag.config import Settings

COLLECTION = "chunks"
VECTORS_DIR = "chroma"


class ChromaUnavailable(RuntimeError):
    """The Chroma server cannot be used; the message names the fix."""


def open_collection(settings: Settings, index_dir: Path):
    # embedding_function=None: Chroma's default one downloads a model; we always pass vectors.
    return _client(settings, index_dir).get_or_create_collection(
        collection_name(settings, index_dir), embedding_function=None, metadata={"hnsw:space": "cosine"}
    )


def delete_collection(settings: Settings, index_dir: Path) -> None:
    from chromadb.errors import NotFoundError

    try:
        _client(settings, index_dir).delete_collection(collection_name(settings, index_dir))
    except NotFoundError:
        pass  # never stored anything


def collection_name(settings: Settings, index_dir: Path) -> str:
    """On disk, the folder is the index's own. A server holds the collections of many indexes:
    each is named after its index folder."""
    if not settings.chroma_url:
        return COLLECTION
    return f"{COLLECTION}-{hashlib.sha1(str(index_dir.resolve()).encode()).hexdigest()[:16]}"


def _client(settings: Settings, index_dir: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    quiet = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        return chromadb.PersistentClient(path=str(index_dir / VECTORS_DIR), settings=quiet)
    url = urlparse(settings.chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ChromaUnavailable(f"chroma_url {settings.chroma_url!r} is not a URL like http://127.0.0.1:8000")
    try:
        return chromadb.HttpClient(
            host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000), ssl=url.scheme == "https", settings=quiet
        )
    except ValueError:
        raise ChromaUnavailable(
            f"cannot reach the Chroma server at {settings.chroma_url}; is `chroma run` running? check RAG_CHROMA_URL"
        ) from None
