"""Settings, and where each one came from.

Precedence, lowest first: defaults < the user's file (~/.config/rag/config.toml) < the project's
file (`[tool.rag]` in pyproject.toml, then rag.toml, in the working directory) < environment
(OPENAI_API_KEY / OPENAI_BASE_URL, then RAG_*) < command-line flags.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.policy import DEFAULT as DEFAULT_POLICY
from rag.policy import Policy


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rag"


def user_config_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "rag" / "config.toml"


@dataclass(frozen=True)
class Settings:
    index_dir: Path = Path(".rag")
    chroma_url: str = ""  # a Chroma server (`chroma run`) for the vectors; empty: on disk in index_dir
    cache_dir: Path = field(default_factory=_default_cache_dir)
    k: int = 4  # passages retrieved, and sentences from them put in front of the model
    chunk_tokens: int = 200  # MiniLM truncates past 256 tokens, so chunks stay under it
    chunk_overlap: int = 40
    # Who answers: auto (the embedded model unless a key or base URL is set), local, openai,
    # openai-compatible, or none (the best matching sentences, no model). See rag/models/providers.py.
    llm: str = "auto"
    llm_model_path: str = ""  # local: a GGUF file; empty means the embedded one
    llm_model: str = ""  # remote: the model name; empty means gpt-4o-mini, or the server's first
    llm_base_url: str = ""
    llm_api_key: str = field(default="", repr=False)
    llm_timeout: float = 60.0  # seconds to wait for a remote reply
    llm_max_retries: int = 2  # retries of a refused connection, timeout, 429 or 5xx, with backoff
    llm_context_tokens: int = 4096
    # How the model drafts: extract (one call a sentence: what a 1.5B model can do), single (one
    # cited prompt over all the passages: a capable model), or auto (by provider and model).
    draft: str = "auto"
    embedder: str = "local"  # local (the embedded ONNX MiniLM), openai, or openai-compatible
    embed_model: str = ""  # remote: empty means text-embedding-3-small, or the server's first
    embed_base_url: str = ""  # empty: llm_base_url
    embed_api_key: str = field(default="", repr=False)  # empty: llm_api_key
    threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    # Weights, thresholds and caps of the answer path (rag/policy.py), each a setting of its own name.
    policy: Policy = DEFAULT_POLICY


SECRETS = frozenset({"llm_api_key", "embed_api_key"})
DEFAULT = "default"
CONFIG_FILE = "rag.toml"
PYPROJECT = "pyproject.toml"
# Variables the openai package itself reads; RAG_* beats them.
ENV_ALIASES = {"OPENAI_API_KEY": "llm_api_key", "OPENAI_BASE_URL": "llm_base_url"}


class ConfigError(ValueError):
    """A setting that cannot be used; the message names the setting and the fix."""


@dataclass(frozen=True)
class Resolved:
    settings: Settings
    sources: dict[str, str]  # setting name -> "default", a file, "env NAME" or "flag --name"

    def rows(self) -> list[tuple[str, str, str]]:
        """(name, value as shown, source) for every setting; secrets are masked."""
        return [
            (name, mask(str(value)) if name in SECRETS else str(value), self.sources[name])
            for name, value in _values(self.settings).items()
        ]


def load_settings(overrides: dict[str, Any] | None = None, cwd: Path | None = None, assignments: list[str] | None = None) -> Settings:
    return resolve(overrides, cwd, assignments).settings


def resolve(overrides: dict[str, Any] | None = None, cwd: Path | None = None, assignments: list[str] | None = None) -> Resolved:
    """`overrides`: command-line flags by setting name; `assignments`: NAME=VALUE of policy values
    (`rag eval --set`), the last word."""
    cwd = cwd or Path.cwd()
    values: dict[str, Any] = {}
    sources = {name: DEFAULT for name in _fields()}
    layers = [
        _from_file(user_config_file(), None),
        _from_file(cwd / PYPROJECT, ("tool", "rag")),
        _from_file(cwd / CONFIG_FILE, None),
        _from_env(),
        {name: (value, f"flag --{name.replace('_', '-')}") for name, value in (overrides or {}).items() if value is not None},
        _assigned(assignments or []),
    ]
    for layer in layers:
        for name, (value, source) in layer.items():
            values[name] = _coerce(name, value, source)
            sources[name] = source
    policy = Policy(**{name: values.pop(name) for name in list(values) if name in _POLICY})
    return Resolved(Settings(**values, policy=policy), sources)


def mask(secret: str) -> str:
    """Enough of a key to tell two apart, never enough to use it."""
    if not secret:
        return ""
    return f"…{secret[-4:]}" if len(secret) >= 16 else "****"


_POLICY = frozenset(f.name for f in dataclasses.fields(Policy))


def _fields() -> dict[str, dataclasses.Field]:
    """Every setting by name: Settings' own, then the policy's, which sit beside them."""
    own = {f.name: f for f in dataclasses.fields(Settings) if f.name != "policy"}
    return own | {f.name: f for f in dataclasses.fields(Policy)}


def _values(settings: Settings) -> dict[str, Any]:
    own = {name: getattr(settings, name) for name in _fields() if name not in _POLICY}
    return own | dataclasses.asdict(settings.policy)


def _default(name: str) -> Any:
    return getattr(DEFAULT_POLICY if name in _POLICY else Settings(), name)


def _from_file(path: Path, table: tuple[str, ...] | None) -> dict[str, tuple[Any, str]]:
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    where = str(path)
    for key in table or ():
        data = data.get(key, {})
        where = f"{path} [{'.'.join(table)}]"
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    unknown = sorted(set(data) - set(_fields()))
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(unknown)}")
    return {name: (value, where) for name, value in data.items()}


def _assigned(assignments: list[str]) -> dict[str, tuple[Any, str]]:
    found = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        if not sep or name.strip() not in _POLICY:
            raise ConfigError(
                f"--set {item!r}: write NAME=VALUE, NAME a policy value that `rag config` lists (e.g. --set keyword_weight=0.6)"
            )
        found[name.strip()] = (value.strip(), "flag --set")
    return found


def _from_env() -> dict[str, tuple[Any, str]]:
    found = {name: (os.environ[var], f"env {var}") for var, name in ENV_ALIASES.items() if os.environ.get(var)}
    for name in _fields():
        var = f"RAG_{name.upper()}"
        if var in os.environ:
            found[name] = (os.environ[var], f"env {var}")
    return found


def _coerce(name: str, value: Any, source: str) -> Any:
    if name not in _fields():
        raise ConfigError(f"unknown setting {name!r} ({source})")
    default = _default(name)
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
        raise ConfigError(f"setting {name} must be {kind}, got {value!r} ({source})") from exc
