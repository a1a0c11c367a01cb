"""A scripted OpenAI-compatible server on 127.0.0.1, for the failures a real one rarely shows on
demand: each request takes the next scripted reply (the last one repeats)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    text: str = ""  # streamed as chat-completion chunks, one word a chunk
    body: str | None = None  # sent as it is instead (for malformed replies)
    delay: float = 0.0


def chunks(text: str, model: str = "fake-model") -> str:
    words = text.split(" ")
    events = [
        {"object": "chat.completion.chunk", "model": model, "choices": [{"index": 0, "delta": {"content": (" " if i else "") + w}}]}
        for i, w in enumerate(words)
    ]
    events.append({"object": "chat.completion.chunk", "model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"


class FakeOpenAI:
    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                self._send(200, json.dumps({"object": "list", "data": [{"id": "fake-model", "object": "model"}]}), "application/json")

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                fake.requests.append(json.loads(self.rfile.read(length) or b"{}"))
                fake.headers.append(dict(self.headers))
                reply = fake._next()
                time.sleep(reply.delay)
                if reply.body is not None:
                    self._send(reply.status, reply.body, "text/html")
                elif reply.status != 200:
                    error = {"error": {"message": f"scripted {reply.status}", "type": "error"}}
                    self._send(reply.status, json.dumps(error), "application/json")
                else:
                    self._send(200, chunks(reply.text), "text/event-stream")

            def _send(self, status: int, body: str, kind: str) -> None:
                data = body.encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", kind)
                    self.send_header("content-length", str(len(data)))
                    self.send_header("retry-after-ms", "10")  # keeps the client's backoff short
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (the timeout test)

        return Handler
