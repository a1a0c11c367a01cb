"""Chat models: the protocol every stage uses, and the in-process llama.cpp model (remote ones
are in remote.py)."""

from __future__ import annotations

import math
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

Messages = list[dict[str, str]]
TOP_LOGPROBS = 5  # alternatives asked for at each token: enough to see how likely a refusal was
OnToken = Callable[[str], None]  # called with each piece of text as the model writes it


@dataclass(frozen=True)
class Generation:
    text: str
    prompt_tokens: int
    completion_tokens: int
    first_token_s: float
    total_s: float
    usage_reported: bool = True  # False: the server sent no token counts; they are estimates
    # Asked for with `logprobs=True`, where the model gives them: each written token's
    # log-probability, and the likeliest first tokens with their probabilities.
    token_logprobs: tuple[float, ...] = ()
    first_choices: tuple[tuple[str, float], ...] = ()


@dataclass
class Draft:
    """What the model wrote for one question, [n] markers included, before verification."""

    text: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    usage_estimated: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)  # how sure the model was of each sentence: see sure_of

    def note_confidence(self, sentence: str, sure: float) -> None:
        """Record how sure the model was of a sentence; one written twice keeps the surer reading."""
        key = _sentence_key(sentence)
        self.confidence[key] = max(sure, self.confidence.get(key, 0.0))

    def sure_of(self, sentence: str) -> float | None:
        """How sure the model was of a sentence, however verification punctuated it ("Monday" is "Monday.")."""
        return self.confidence.get(_sentence_key(sentence))

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
            retry.confidence,
        )

    @property
    def usage(self) -> dict[str, int | bool]:
        counts = {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens, "calls": self.calls}
        return {**counts, "estimated": True} if self.usage_estimated else counts


def _sentence_key(sentence: str) -> str:
    return " ".join(sentence.split()).rstrip(".!?")


class Streamed:
    """A reply's pieces as they stream in: shown to `on_token` at once, the first one's time kept."""

    def __init__(self, on_token: OnToken | None) -> None:
        self._start = time.perf_counter()
        self._on_token = on_token
        self.pieces: list[str] = []
        self.first_token_s = 0.0
        self.token_logprobs: list[float] = []
        self.first_choices: tuple[tuple[str, float], ...] = ()

    def add(self, piece: str) -> None:
        if not piece:
            return
        if not self.first_token_s:
            self.first_token_s = time.perf_counter() - self._start
        self.pieces.append(piece)
        if self._on_token:
            self._on_token(piece)

    def add_logprobs(self, tokens: list[tuple[float, list[tuple[str, float]]]]) -> None:
        """Tokens as (log-probability, [(alternative, log-probability), ...]), in order."""
        for logprob, alternatives in tokens:
            if not self.token_logprobs:
                self.first_choices = tuple((token, math.exp(lp)) for token, lp in alternatives)
            self.token_logprobs.append(logprob)

    @property
    def text(self) -> str:
        return "".join(self.pieces)

    @property
    def total_s(self) -> float:
        return time.perf_counter() - self._start


def few_shot_messages(system: str, shots: tuple[tuple[str, str], ...], asked: str) -> Messages:
    """A system turn, worked examples as past turns, then the question. Everything before the
    question is the same for every call of one prompt, so llama.cpp reuses it from its cache."""
    messages = [{"role": "system", "content": system}]
    for user, assistant in shots:
        messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
    return messages + [{"role": "user", "content": asked}]


class ChatModel(Protocol):
    name: str

    def generate(self, messages: Messages, max_tokens: int, on_token: OnToken | None = None, logprobs: bool = False) -> Generation: ...

    def prime(self, messages: Messages) -> None:
        """Read a prompt ahead of time, so that the next one sharing its start begins warm."""


class EngineError(RuntimeError):
    """The in-process engine cannot load the model or refused a request; the message names the fix."""


class LlamaCppChat:
    """A GGUF model run in-process by llama.cpp's own server (the prebuilt `xllamacpp` wheel:
    nothing compiles at install, and it picks the CPU's kernels at run time); the chat template
    is the one stored in the file.

    llama.cpp skips the part of a prompt a slot's cache already holds, which makes a prompt's
    worked examples free after the first call. Each system prompt gets a slot of its own, so
    switching between the extraction and the synthesis prompt does not evaluate the examples
    again (~3 s each). The server listens only on a socket in a private folder: requests go
    through direct calls, and nothing is reachable from outside the process.
    """

    SLOTS = 4

    def __init__(self, path: Path, name: str, threads: int, context_tokens: int) -> None:
        import xllamacpp

        self.name = name
        self._socket_dir = tempfile.TemporaryDirectory(prefix="rag-engine-")
        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_parallel = self.SLOTS
        params.n_ctx = context_tokens * self.SLOTS  # shared out: context_tokens per slot
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.n_threads_http = 1
        params.sampling.seed = 0
        params.cache_ram_mib = 0  # slots keep their prompts; no second copy in memory
        params.warmup = False
        params.verbosity = -1  # llama.cpp's own log would fill the terminal; failures raise below
        params.hostnames = [str(Path(self._socket_dir.name) / "engine.sock")]
        try:
            self._server = xllamacpp.Server(params)  # load now: a broken file fails here, not mid-answer
        except RuntimeError:
            raise EngineError(f"llama.cpp cannot load {path}; point RAG_LLM_MODEL_PATH at a GGUF chat model, or unset it") from None
        self._slots: dict[str, int] = {}

    def _slot(self, system: str) -> int:
        if system not in self._slots:
            taken = set(self._slots.values())
            if len(self._slots) >= self.SLOTS:
                taken.discard(self._slots.pop(next(iter(self._slots))))
            self._slots[system] = min(set(range(self.SLOTS)) - taken)
        return self._slots[system]

    def prime(self, messages: Messages) -> None:
        self.generate(messages, max_tokens=1)

    def generate(self, messages: Messages, max_tokens: int, on_token: OnToken | None = None, logprobs: bool = False) -> Generation:
        system = messages[0]["content"] if messages and messages[0]["role"] == "system" else ""
        request = {
            "messages": messages,
            "temperature": 0.0,
            "max_tokens": max_tokens,
            "stream": True,
            "stream_options": {"include_usage": True},
            "id_slot": self._slot(system),
        }
        if logprobs:
            request |= {"logprobs": True, "top_logprobs": TOP_LOGPROBS}
        reply = Streamed(on_token)
        usage: dict = {}
        for chunk in self._stream(request):
            if "error" in chunk or "code" in chunk:
                error = chunk.get("error", chunk)
                raise EngineError(f"llama.cpp refused the request: {error.get('message', error)}; try a smaller --k")
            usage = chunk.get("usage") or usage
            for choice in chunk.get("choices", []):
                reply.add((choice.get("delta") or {}).get("content") or "")
                tokens = (choice.get("logprobs") or {}).get("content") or []
                reply.add_logprobs([(t["logprob"], [(a["token"], a["logprob"]) for a in t.get("top_logprobs", [])]) for t in tokens])
        return Generation(
            text=reply.text,
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", len(reply.pieces)),
            first_token_s=reply.first_token_s,
            total_s=reply.total_s,
            token_logprobs=tuple(reply.token_logprobs),
            first_choices=reply.first_choices,
        )

    def _stream(self, request: dict) -> Iterator[dict]:
        """The server's chunks as it writes them. The engine runs on a thread of its own, so
        that Ctrl-C reaches this one at once and stops the generation where it is."""
        chunks: queue.Queue = queue.Queue()
        stop = threading.Event()
        done = object()

        def run() -> None:
            try:
                self._server.handle_chat_completions(request, lambda chunk: chunks.put(chunk) or stop.is_set())
            finally:
                chunks.put(done)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        try:
            while (chunk := chunks.get()) is not done:
                yield chunk
        finally:
            stop.set()
            worker.join()
