"""Settings: defaults < rag.toml in the working directory < RAG_* environment < CLI flags."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rag"


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path(".rag")
    cache_dir: Path = field(default_factory=_default_cache_dir)
    k: int = 4  # passages retrieved, and sentences from them put in front of the model
    chunk_tokens: int = 200  # MiniLM truncates past 256 tokens, so chunks stay under it
    chunk_overlap: int = 40
    llm: str = "local"  # "none": answer with the best matching sentences, no model
    llm_model_path: str = ""  # empty: the embedded GGUF
    llm_context_tokens: int = 4096
    # Below this focus score of the best sentence, abstain without asking the model. Set on the
    # dev sets by benchmarks/calibrate_evidence.py.
    min_evidence: float = 0.5
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the setting and the fix."""


CONFIG_FILE = "rag.toml"


def load_settings(overrides: dict[str, Any] | None = None, cwd: Path | None = None) -> Settings:
    values: dict[str, Any] = {}
    values.update(_from_file((cwd or Path.cwd()) / CONFIG_FILE))
    values.update(_from_env())
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return Settings(**{name: _coerce(name, value) for name, value in values.items()})


def _fields() -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(Settings)}


def _from_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    unknown = sorted(set(data) - set(_fields()))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    return data


def _from_env() -> dict[str, Any]:
    return {
        name: os.environ[f"RAG_{name.upper()}"]
        for name in _fields()
        if f"RAG_{name.upper()}" in os.environ
    }


def _coerce(name: str, value: Any) -> Any:
    if name not in _fields():
        raise ConfigError(f"unknown setting {name!r}")
    default = getattr(Settings(), name)
    try:
        if isinstance(default, Path):
            return Path(value).expanduser()
        if isinstance(default, float):
            return float(value)
        if isinstance(default, int):
            number = int(value)
            if number < 0:
                raise ValueError
            return number
        return str(value)
    except (TypeError, ValueError) as exc:
        kind = "a number" if isinstance(default, float) else "a non-negative whole number"
        raise ConfigError(f"setting {name} must be {kind}, got {value!r}") from exc
