"""What the tests that run `rag` as a user does, or start servers beside it, share."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

# Threads for the real models. The answers must hold at every thread count (each sums in another
# order, so greedy decoding may take another path): CI runs the `llm` tests again with RAG_THREADS=1.
THREADS = int(os.environ.get("RAG_THREADS", "2"))

_SCRIPT = Path(sys.executable).with_name("rag")
RAG = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "rag"]


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on (for a server to take, or to find closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
