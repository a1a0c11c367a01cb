"""Models behind an OpenAI-compatible HTTP API (OpenAI itself, vLLM, Ollama, LM Studio,
llama.cpp's server), through the `openai` package.

The package retries refused connections, timeouts, 408/409/429 and 5xx with exponential backoff,
up to `max_retries` times. What still fails becomes a ProviderError: one line naming the fix,
never the API key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from rag.models.llm import TOP_LOGPROBS, Generation, Messages, OnToken, Streamed

# Servers that serve one model answer to any name; the package needs a non-empty key.
NO_KEY = "no-key"
MODEL_SETTING = {"chat": "RAG_LLM_MODEL", "embed": "RAG_EMBED_MODEL"}


class ProviderError(RuntimeError):
    """A remote model failed; the message is one line that names the fix."""


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    api_key: str
    timeout: float
    max_retries: int
    key_setting: str  # where the user sets the key, named in messages

    def client(self):
        from openai import OpenAI

        return OpenAI(
            api_key=self.api_key or NO_KEY,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )


class OpenAIChat:
    """A chat model behind /v1/chat/completions, streamed."""

    def __init__(self, endpoint: Endpoint, model: str) -> None:
        self._endpoint = endpoint
        self._client = endpoint.client()
        self.name = model or first_model(endpoint, self._client, "chat")
        self._gives_logprobs = True  # until the server refuses the request for them

    def prime(self, messages: Messages) -> None:
        """Nothing: a request ahead of time would be paid for, and servers cache prompts themselves."""

    def generate(self, messages: Messages, max_tokens: int, on_token: OnToken | None = None, logprobs: bool = False) -> Generation:
        """Token probabilities are asked for where wanted; a server that refuses the request for
        them (HTTP 400) is asked again without, and not asked for them again."""
        import openai

        with translated_errors(self._endpoint, self.name, MODEL_SETTING["chat"]):
            if logprobs and self._gives_logprobs:
                try:
                    return self._generate(messages, max_tokens, on_token, {"logprobs": True, "top_logprobs": TOP_LOGPROBS})
                except openai.BadRequestError:
                    self._gives_logprobs = False
            return self._generate(messages, max_tokens, on_token, {})

    def _generate(self, messages: Messages, max_tokens: int, on_token: OnToken | None, asked: dict) -> Generation:
        reply = Streamed(on_token)
        usage = None
        stream = self._client.chat.completions.create(
            model=self.name,
            messages=messages,
            max_tokens=max_tokens,
            temperature=0.0,
            seed=0,
            stream=True,
            stream_options={"include_usage": True},
            **asked,
        )
        chunks = 0
        for chunk in stream:
            chunks += 1
            usage = chunk.usage or usage
            choice = chunk.choices[0] if chunk.choices else None
            reply.add(getattr(getattr(choice, "delta", None), "content", None) or "")
            tokens = getattr(getattr(choice, "logprobs", None), "content", None) or []
            reply.add_logprobs([(t.logprob, [(a.token, a.logprob) for a in t.top_logprobs or []]) for t in tokens])
        if not chunks:
            raise ValueError("no completion chunks")  # e.g. a proxy's HTML page, sent with 200
        return Generation(
            text=reply.text,
            # Servers that send no usage (llama.cpp's) stream about one token per chunk.
            prompt_tokens=usage.prompt_tokens if usage else estimate_tokens(messages),
            completion_tokens=usage.completion_tokens if usage else len(reply.pieces),
            first_token_s=reply.first_token_s,
            total_s=reply.total_s,
            usage_reported=usage is not None,
            token_logprobs=tuple(reply.token_logprobs),
            first_choices=reply.first_choices,
        )


class OpenAIEmbedder:
    """Embeddings from /v1/embeddings, L2-normalised like the local embedder's."""

    BATCH = 64

    def __init__(self, endpoint: Endpoint, model: str, token_ids: Callable[[str], list[int]]) -> None:
        self._endpoint = endpoint
        self._client = endpoint.client()
        self.name = model or first_model(endpoint, self._client, "embed")
        self.dimension: int | None = None  # known after the first call
        self.token_ids = token_ids

    def embed(self, texts: list[str], batch_size: int = BATCH) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension or 0), dtype=np.float32)
        rows: list[list[float]] = []
        with translated_errors(self._endpoint, self.name, MODEL_SETTING["embed"]):
            for start in range(0, len(texts), batch_size):
                reply = self._client.embeddings.create(model=self.name, input=texts[start : start + batch_size])
                rows += [item.embedding for item in sorted(reply.data, key=lambda item: item.index)]
        try:
            vectors = np.array(rows, dtype=np.float32)
        except ValueError:
            vectors = np.zeros(0)
        if vectors.ndim != 2 or vectors.shape[0] != len(texts):
            raise ProviderError(
                f"{self._endpoint.base_url} did not send one vector per text for model {self.name} "
                "(llama.cpp's server pools only when the model file sets a pooling type, or --kv_overrides does)"
            )
        self.dimension = vectors.shape[1]
        return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)


def first_model(endpoint: Endpoint, client, kind: str) -> str:
    """The model a server offers first, for servers the user did not name a model for."""
    with translated_errors(endpoint, "(any)", MODEL_SETTING[kind]):
        models = [m.id for m in client.models.list()]
    if not models:
        raise ProviderError(f"{endpoint.base_url} offers no models; name one with {MODEL_SETTING[kind]}")
    return models[0]


def estimate_tokens(messages: Messages) -> int:
    return sum(len(m["content"]) for m in messages) // 4  # ~4 characters a token in English


@contextmanager
def translated_errors(endpoint: Endpoint, model: str, model_setting: str) -> Iterator[None]:
    import openai

    where = endpoint.base_url
    tries = f"after {endpoint.max_retries + 1} tries"
    try:
        yield
    except openai.AuthenticationError:
        raise ProviderError(f"{where} refused the API key (401); check {endpoint.key_setting}") from None
    except openai.PermissionDeniedError:
        raise ProviderError(f"{where} denied access to model {model} (403); check {endpoint.key_setting}") from None
    except openai.NotFoundError:
        raise ProviderError(f"{where} has no model {model} (404); set {model_setting} to one it serves") from None
    except openai.RateLimitError:
        raise ProviderError(f"{where} is rate-limiting requests (429) {tries}; wait, or raise RAG_LLM_MAX_RETRIES") from None
    except openai.APITimeoutError:
        raise ProviderError(
            f"{where} did not answer within {endpoint.timeout:g} s {tries}; raise RAG_LLM_TIMEOUT or check the server"
        ) from None
    except openai.APIConnectionError:
        raise ProviderError(f"cannot reach {where} {tries}; is the server running? check RAG_LLM_BASE_URL") from None
    except openai.InternalServerError as exc:
        raise ProviderError(f"{where} failed with HTTP {exc.status_code} {tries}; check the server's log") from None
    except openai.APIStatusError as exc:
        raise ProviderError(f"{where} refused the request with HTTP {exc.status_code}: {_scrubbed(exc.message, endpoint)}") from None
    except (openai.APIError, ValueError):
        # A reply that does not parse as the OpenAI format, e.g. a proxy's HTML page.
        raise ProviderError(f"{where} sent a reply that is not an OpenAI-compatible response; check RAG_LLM_BASE_URL") from None


def _scrubbed(message: str, endpoint: Endpoint) -> str:
    line = " ".join(str(message).split())[:200]
    return line.replace(endpoint.api_key, "****") if endpoint.api_key else line
