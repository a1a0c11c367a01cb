"""What the tests that run `rag` as a user does, or start servers beside it, share."""

from __future__ import annotations

import os
import signal
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


# Imported at interpreter start-up through PYTHONPATH: records any attempt to open a connection.
NETWORK_RECORDER = """
import os, socket
_log = os.environ["RAG_TEST_NETWORK_LOG"]
def _refuse(self, address, *args):
    with open(_log, "a") as f:
        f.write(repr(address) + "\\n")
    raise OSError("network use during an offline test")
socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
"""
# Runs a command with no network namespace (a user namespace of its own, no interfaces).
NO_NETWORK = ["unshare", "-rn"]


def offline_env(home: Path) -> tuple[dict[str, str], Path]:
    """The environment a `rag` run in `home` gets so that it records every connection it tries,
    and the log it records them in (absent or empty: none was tried)."""
    hooks = home / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(NETWORK_RECORDER)
    log = home / "network.log"
    env = {**os.environ, "PYTHONPATH": str(hooks), "RAG_TEST_NETWORK_LOG": str(log), "COLUMNS": "200"}
    env.pop("RAG_INDEX_DIR", None)
    return env, log


def ctrl_c_delivered() -> None:
    """SIGINT as a shell gives it, whatever the test process did with it (an ignored or blocked
    signal is inherited across exec): a child process's preexec_fn."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
