"""Chat models: the protocol every stage uses, and the in-process llama.cpp model."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

Messages = list[dict[str, str]]


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    first_token_s: float
    total_s: float


class ChatModel(Protocol):
    name: str

    def generate(self, messages: Messages, max_tokens: int) -> Generation: ...


class LlamaCppChat:
    """A GGUF model run in-process; the chat template is the one stored in the file."""

    def __init__(self, path: Path, name: str, threads: int, context_tokens: int) -> None:
        from llama_cpp import Llama

        self.name = name
        self._llm = Llama(
            model_path=str(path),
            n_ctx=context_tokens,
            n_threads=threads,
            n_threads_batch=threads,
            seed=0,
            verbose=False,
        )

    def generate(self, messages: Messages, max_tokens: int) -> Generation:
        start = time.perf_counter()
        first_token_s = 0.0
        pieces: list[str] = []
        stream = self._llm.create_chat_completion(
            messages=messages, temperature=0.0, max_tokens=max_tokens, stream=True
        )
        completion_tokens = 0
        for chunk in stream:
            piece = chunk["choices"][0]["delta"].get("content") or ""
            if not piece:
                continue
            completion_tokens += 1
            if not first_token_s:
                first_token_s = time.perf_counter() - start
            pieces.append(piece)
        # llama.cpp keeps the evaluated prompt and the generated tokens in its context.
        prompt_tokens = max(self._llm.n_tokens - completion_tokens, 0)
        return Generation(
            text="".join(pieces),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            first_token_s=first_token_s,
            total_s=time.perf_counter() - start,
        )
