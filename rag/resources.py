"""Find the files that ship with rag: prompt templates and the default corpus."""

from __future__ import annotations

import functools
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """`name` inside the installed package (wheel) or at the top of the source checkout."""
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"rag's {name}/ folder is missing; reinstall rag")


def prompt(name: str) -> str:
    return (resource_dir("prompts") / f"{name}.txt").read_text(encoding="utf-8")


@functools.cache
def few_shot(name: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A prompt file's system text and its worked examples as (user, assistant) pairs.

    The file is the system text, then examples after lines of `---`; each example ends with a
    line `Answer: ...` (the assistant's reply) and everything above it is the user's turn.
    """
    system, *examples = prompt(name).split("\n---\n")
    shots = []
    for example in examples:
        asked, answered = example.strip().rsplit("\nAnswer: ", 1)
        shots.append((asked.strip(), answered.strip()))
    return system.strip(), tuple(shots)


def seeds_dir() -> Path:
    return resource_dir("seeds")
