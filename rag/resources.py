"""Find the files that ship with rag: prompt templates and the default corpus."""

from __future__ import annotations

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


def seeds_dir() -> Path:
    return resource_dir("seeds")
