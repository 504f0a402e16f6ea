"""A scriptable HTTP server on 127.0.0.1 speaking the Anthropic Messages and OpenAI Chat
Completions wire formats, for driving the real SDKs in tests.

Each request pops the next scripted `Reply` (or the default one) and is recorded (path,
lower-cased headers, JSON body). A `Reply(hold=True)` answers only when the server is stopped,
so a client with a short timeout sees a slow answer without the test sleeping.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; str → sent as is (for broken bodies)
    headers: dict[str, str] = field(default_factory=dict)
    hold: bool = False  # answer only when the server stops (a "slow" answer)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class WireServer:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.default: Reply = Reply(500, {"error": "no reply scripted"})
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                with server._lock:
                    server.requests.append(
                        Recorded("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
                    reply = server.replies.popleft() if server.replies else server.default
                if reply.hold:
                    server._release.wait(30)
                payload = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                data = payload.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> WireServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(10)

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    @property
    def last(self) -> Recorded:
        return self.requests[-1]


# ---------------------------------------------------------------- Anthropic Messages API


def anthropic_tool_use(arguments: Any, *, name: str = "choose_action") -> Reply:
    return Reply(200, {
        "id": "msg_01TEST", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [{"type": "tool_use", "id": "toolu_01TEST", "name": name, "input": arguments}],
        "stop_reason": "tool_use", "stop_sequence": None,
        "usage": {"input_tokens": 812, "output_tokens": 41},
    })


def anthropic_text(text: str) -> Reply:
    return Reply(200, {
        "id": "msg_02TEST", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 812, "output_tokens": 12},
    })


_ANTHROPIC_ERRORS = {400: "invalid_request_error", 401: "authentication_error", 429: "rate_limit_error",
                     500: "api_error", 529: "overloaded_error"}


def anthropic_error(status: int) -> Reply:
    kind = _ANTHROPIC_ERRORS.get(status, "api_error")
    return Reply(status, {"type": "error", "error": {"type": kind, "message": f"{kind} from test server"}},
                 headers={"retry-after": "0"} if status in (429, 529) else {})


# ---------------------------------------------------------------- OpenAI Chat Completions


def openai_tool_call(arguments: str, *, name: str = "choose_action") -> Reply:
    return Reply(200, {
        "id": "chatcmpl-TEST", "object": "chat.completion", "created": 1_700_000_000, "model": "gpt-test",
        "choices": [{
            "index": 0, "finish_reason": "tool_calls", "logprobs": None,
            "message": {"role": "assistant", "content": None, "refusal": None, "tool_calls": [{
                "id": "call_TEST", "type": "function", "function": {"name": name, "arguments": arguments},
            }]},
        }],
        "usage": {"prompt_tokens": 812, "completion_tokens": 41, "total_tokens": 853},
    })


def openai_text(text: str) -> Reply:
    return Reply(200, {
        "id": "chatcmpl-TEST2", "object": "chat.completion", "created": 1_700_000_000, "model": "gpt-test",
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                     "message": {"role": "assistant", "content": text, "refusal": None}}],
        "usage": {"prompt_tokens": 812, "completion_tokens": 12, "total_tokens": 824},
    })


def openai_error(status: int) -> Reply:
    return Reply(status, {"error": {"message": "error from test server", "type": "server_error",
                                    "param": None, "code": None}})
