"""Chat models: the protocol every stage uses, and the in-process llama.cpp model (remote ones
are in remote.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

Messages = list[dict[str, str]]
OnToken = Callable[[str], None]  # called with each piece of text as the model writes it


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    first_token_s: float
    total_s: float
    usage_reported: bool = True  # False: the server sent no token counts; they are estimates


@dataclass
class Draft:
    """What the model wrote for one question, [n] markers included, before verification."""

    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    usage_estimated: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    def record(self, generation: Generation, started: float) -> None:
        self.prompt_tokens += generation.prompt_tokens
        self.completion_tokens += generation.completion_tokens
        self.calls += 1
        self.usage_estimated |= not generation.usage_reported
        first_token = time.perf_counter() - started - generation.total_s + generation.first_token_s
        self.timings.setdefault("first_token", first_token)

    def then(self, retry: Draft) -> Draft:
        """A second draft that replaces this one, with the costs of both."""
        return Draft(
            retry.text,
            self.prompt_tokens + retry.prompt_tokens,
            self.completion_tokens + retry.completion_tokens,
            self.calls + retry.calls,
            self.usage_estimated or retry.usage_estimated,
            {**retry.timings, **self.timings},
        )

    @property
    def usage(self) -> dict[str, int | bool]:
        counts = {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens, "calls": self.calls}
        return {**counts, "estimated": True} if self.usage_estimated else counts


def few_shot_messages(system: str, shots: tuple[tuple[str, str], ...], asked: str) -> Messages:
    """A system turn, worked examples as past turns, then the question. Everything before the
    question is the same for every call of one prompt, so llama.cpp reuses it from its cache."""
    messages = [{"role": "system", "content": system}]
    for user, assistant in shots:
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return messages + [{"role": "user", "content": asked}]


class ChatModel(Protocol):
    name: str

    def generate(self, messages: Messages, max_tokens: int, on_token: OnToken | None = None) -> Generation: ...

    def prime(self, messages: Messages) -> None:
        """Read a prompt ahead of time, so that the next one sharing its start begins warm."""


class LlamaCppChat:
    """A GGUF model run in-process; the chat template is the one stored in the file.

    llama.cpp skips the part of a prompt its context already holds, which makes a prompt's
    worked examples free after the first call. Each system prompt gets a context of its own, so
    switching between the extraction and the synthesis prompt does not evaluate the examples
    again (~3 s each); the weights are memory-mapped once and shared.
    """

    MAX_CONTEXTS = 4

    def __init__(self, path: Path, name: str, threads: int, context_tokens: int) -> None:
        self.name = name
        self._options = dict(
            model_path=str(path),
            n_ctx=context_tokens,
            n_threads=threads,
            n_threads_batch=threads,
            seed=0,
            verbose=False,
        )
        self._contexts: dict[str, object] = {}
        self._unused = [self._load()]  # load now: a broken model file fails here, not mid-answer

    def _load(self):
        from llama_cpp import Llama

        return Llama(**self._options)

    def _context(self, system: str):
        if system not in self._contexts:
            if len(self._contexts) >= self.MAX_CONTEXTS:
                self._contexts.pop(next(iter(self._contexts)))
            self._contexts[system] = self._unused.pop() if self._unused else self._load()
        return self._contexts[system]

    def prime(self, messages: Messages) -> None:
        self.generate(messages, max_tokens=1)

    def generate(self, messages: Messages, max_tokens: int, on_token: OnToken | None = None) -> Generation:
        start = time.perf_counter()
        first_token_s = 0.0
        pieces: list[str] = []
        llm = self._context(messages[0]["content"] if messages and messages[0]["role"] == "system" else "")
        stream = llm.create_chat_completion(
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
            if on_token:
                on_token(piece)
        # llama.cpp keeps the evaluated prompt and the generated tokens in its context.
        prompt_tokens = max(llm.n_tokens - completion_tokens, 0)
        return Generation(
            text="".join(pieces),
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            first_token_s=first_token_s,
            total_s=time.perf_counter() - start,
        )
