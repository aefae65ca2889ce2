"""The drafting model on an OpenAI-compatible server: llama-cpp-python's own server
(``python -m llama_cpp.server``) or llama.cpp's ``llama-server``.

``RemoteModel`` is a ``ChatModel`` like ``rag.models.local.LocalModel``, so drafting runs
unchanged on it. It speaks HTTP with the standard library only (``http.client``), streams the
answer as server-sent events, and passes the drafting engine's JSON schema as
``response_format: {"type": "json_object", "schema": ...}``, which both servers turn into a
grammar: citations stay structural (source ids limited to the passages shown).

What a server does not report is estimated and said so in the code: prompt tokens evaluated
versus reused from the server's cache are known only from llama-server's ``timings``.
Cancelling takes effect within a tenth of a second, even while the server is still evaluating
the prompt (the socket is polled): the connection is closed, which stops the server's work at
its next token.
"""

from __future__ import annotations

import http.client
import json
import select
import time
from collections.abc import Generator, Iterator
from pathlib import PurePath
from typing import Any

from rag.core.errors import BriefDeskError
from rag.core.server_address import ServerAddress, parse_server_url
from rag.core.types import CancelToken
from rag.models.protocol import DEFAULT_SEED, CallStats, ChatFromStream, Completion

MODEL_SERVER_PORT = 8080  # llama-server's default; llama_cpp.server defaults to 8000
PROBE_TIMEOUT_S = 10.0
# A whole answer can take minutes on a CPU server (prompt evaluation sends nothing meanwhile).
CALL_TIMEOUT_S = 900.0
POLL_SECONDS = 0.1  # how soon a cancelled call lets go while the server sends nothing
# Without a tokenizer endpoint, text is counted at this many characters per token: fewer than
# real English (about 4), so budgets err on the safe side.
CHARS_PER_TOKEN_ESTIMATE = 3.0
START_HINT = (
    "Start one with: python -m llama_cpp.server --model MODEL.gguf --n_ctx 8192 "
    "--interrupt_requests False --host 0.0.0.0 --port 8080"
)


class ModelServerError(BriefDeskError):
    """The model server cannot be reached or refused a request; the message names its URL."""


def model_server_address(url: str) -> ServerAddress:
    try:
        return parse_server_url(url, MODEL_SERVER_PORT)
    except BriefDeskError as exc:
        raise ModelServerError(f"The model server address is not usable: {exc}") from None


class RemoteModel(ChatFromStream):
    """A model served over HTTP. Thread-safe: every call is its own request."""

    def __init__(self, url: str, *, n_ctx: int | None = None) -> None:
        self.address = model_server_address(url)
        self.url = self.address.url
        models = self._get_json("/v1/models")
        listed = models.get("data") or [{}]
        model_id = str(listed[0].get("id") or "model")
        # llama_cpp.server names the model by its file path unless given an alias.
        self._name = PurePath(model_id).stem if model_id.endswith(".gguf") else model_id
        served = _served_context(listed[0], self._props())
        self._n_ctx = served or n_ctx or 4096
        self._tokenize_path: str | None = None  # found on first use

    # -- ChatModel ----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._name

    @property
    def n_ctx(self) -> int:
        return self._n_ctx

    def count_tokens(self, text: str) -> int:
        if not text:
            return 0
        for path, body in self._tokenize_requests(text):
            status, data = self._post_json(path, body)
            if status == 200 and isinstance(data.get("tokens"), list):
                self._tokenize_path = path
                return len(data["tokens"])
            if self._tokenize_path == path:
                raise ModelServerError(
                    f"The model server at {self.url} could not count tokens ({status})."
                )
        self._tokenize_path = ""  # neither endpoint: estimate from now on
        return _estimate_tokens(text)

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        schema: dict[str, Any] | None = None,
        max_tokens: int = 512,
        temperature: float = 0.2,
        cancel: CancelToken | None = None,
    ) -> Generator[str, None, Completion]:
        started = time.perf_counter()
        body: dict[str, Any] = {
            "messages": messages,
            "stream": True,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "seed": DEFAULT_SEED,
            "stream_options": {"include_usage": True},
        }
        if schema is not None:
            body["response_format"] = {"type": "json_object", "schema": schema}
        pieces: list[str] = []
        finish: str | None = None
        first: float | None = None
        report: dict[str, Any] = {}
        chunks = 0
        if cancel is not None and cancel.cancelled:
            return self._completion("", None, True, started, first, report, messages, 0)
        conn = self._connection(CALL_TIMEOUT_S)
        try:
            response = self._send(conn, "POST", "/v1/chat/completions", body, cancel)
            if response is None:
                return self._completion("", None, True, started, first, report, messages, 0)
            if response.status != 200:
                raise self._refused(response)
            for data in _sse_events(response, conn, cancel):
                if cancel is not None and cancel.cancelled:
                    break
                if "error" in data:
                    raise ModelServerError(
                        f"The model server at {self.url} failed while generating: "
                        f"{_error_text(data)}"
                    )
                report.update({k: data[k] for k in ("usage", "timings") if data.get(k)})
                for choice in data.get("choices") or []:
                    piece = (choice.get("delta") or {}).get("content") or ""
                    finish = choice.get("finish_reason") or finish
                    if piece:
                        chunks += 1
                        first = first if first is not None else time.perf_counter() - started
                        pieces.append(piece)
                        yield piece
        except (OSError, http.client.HTTPException) as exc:
            raise self._unreachable(exc) from None
        finally:
            conn.close()  # on cancel this also tells the server to stop
        cancelled = finish is None and cancel is not None and cancel.cancelled
        if finish is None and not cancelled:
            # llama_cpp.server ends a stream this way when another client's request arrives,
            # unless started with --interrupt_requests False: never pass it off as complete.
            raise ModelServerError(
                f"The model server at {self.url} ended the answer early (another request may "
                "have interrupted it; start llama_cpp.server with --interrupt_requests False "
                "when several analysts share it). Try again."
            )
        return self._completion(
            "".join(pieces), finish, cancelled, started, first, report, messages, chunks
        )

    # -- HTTP ---------------------------------------------------------------------------------

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.address.ssl else http.client.HTTPConnection
        return cls(self.address.host, self.address.port, timeout=timeout)

    def _send(
        self,
        conn: http.client.HTTPConnection,
        method: str,
        path: str,
        body: Any = None,
        cancel: CancelToken | None = None,
    ) -> http.client.HTTPResponse | None:
        """Send a request and read the response's headers; None if ``cancel`` came first."""
        headers = {"Accept": "application/json, text/event-stream"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        if not _wait_for_data(conn, None, cancel):
            return None
        return conn.getresponse()

    def _request(self, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
        conn = self._connection(PROBE_TIMEOUT_S)
        try:
            response = self._send(conn, method, path, body)
            assert response is not None  # only a cancelled call gets none
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise self._unreachable(exc) from None
        finally:
            conn.close()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        return response.status, data if isinstance(data, dict) else {"data": data}

    def _get_json(self, path: str) -> dict[str, Any]:
        status, data = self._request("GET", path)
        if status != 200:
            raise ModelServerError(
                f"{self.url} does not answer like an OpenAI-compatible model server "
                f"(GET {path}: HTTP {status}). {START_HINT}"
            )
        return data

    def _post_json(self, path: str, body: Any) -> tuple[int, dict[str, Any]]:
        return self._request("POST", path, body)

    def _props(self) -> dict[str, Any]:
        """llama-server's /props (its context size); llama_cpp.server has none."""
        status, data = self._request("GET", "/props")
        return data if status == 200 else {}

    def _tokenize_requests(self, text: str) -> Iterator[tuple[str, dict[str, Any]]]:
        known = self._tokenize_path
        if known is None or known == "/extras/tokenize":
            yield "/extras/tokenize", {"input": text}  # llama_cpp.server (counts BOS too)
        if known is None or known == "/tokenize":
            yield "/tokenize", {"content": text}  # llama-server

    def _unreachable(self, exc: BaseException) -> ModelServerError:
        reason = str(exc) or type(exc).__name__
        return ModelServerError(
            f"Cannot reach the model server at {self.url} ({reason}). Is it running, and is "
            f"this computer allowed to connect to it? {START_HINT}"
        )

    def _refused(self, response: http.client.HTTPResponse) -> ModelServerError:
        try:
            data = json.loads(response.read() or b"{}")
        except ValueError:
            data = {}
        return ModelServerError(
            f"The model server at {self.url} refused the request (HTTP {response.status}): "
            f"{_error_text(data) if isinstance(data, dict) else data}"
        )

    # -- results ------------------------------------------------------------------------------

    def _completion(
        self,
        text: str,
        finish: str | None,
        cancelled: bool,
        started: float,
        first: float | None,
        report: dict[str, Any],
        messages: list[dict[str, Any]],
        chunks: int,
    ) -> Completion:
        usage = report.get("usage") or {}
        timings = report.get("timings") or {}
        sent = usage.get("prompt_tokens")
        if not isinstance(sent, int):
            # No usage reported: the messages' text as the server's tokenizer counts it (the
            # chat template's few tokens are left out). After a cancel the server may still be
            # busy with the abandoned prompt, so the count is estimated here instead.
            count = _estimate_tokens if cancelled else self.count_tokens
            sent = sum(count(str(m.get("content") or "")) for m in messages)
        evaluated = timings.get("prompt_n")
        if not isinstance(evaluated, int):
            evaluated = sent  # the server does not say what it reused from its cache
        produced = usage.get("completion_tokens")
        return Completion(
            text=text,
            finish_reason="cancelled" if cancelled else finish or "stop",
            cancelled=cancelled,
            stats=CallStats(
                prompt_tokens_sent=sent,
                prompt_tokens_evaluated=min(evaluated, sent),
                completion_tokens=produced if isinstance(produced, int) else chunks,
                seconds=time.perf_counter() - started,
                first_token_seconds=first,
            ),
        )


def _served_context(model: dict[str, Any], props: dict[str, Any]) -> int | None:
    """The context size the server runs with, where it says so."""
    settings = props.get("default_generation_settings") or {}
    for value in (
        settings.get("n_ctx"),
        props.get("n_ctx"),
        (model.get("meta") or {}).get("n_ctx"),
    ):
        if isinstance(value, int) and value > 0:
            return value
    return None


def _estimate_tokens(text: str) -> int:
    return max(1, int(len(text) / CHARS_PER_TOKEN_ESTIMATE) + 1)


def _error_text(data: dict[str, Any]) -> str:
    error = data.get("error", data.get("detail", data))
    if isinstance(error, dict):
        error = error.get("message") or error
    return str(error)[:300]


def _wait_for_data(
    conn: http.client.HTTPConnection,
    response: http.client.HTTPResponse | None,
    cancel: CancelToken | None,
) -> bool:
    """Wait until the server has sent something (or closed), or ``cancel`` is set: False then.

    A blocking read would hold a cancelled call for as long as the server evaluates the
    prompt (nothing is streamed meanwhile), so the socket is polled instead, and bytes the
    response has already buffered are looked at without blocking.
    """
    sock = conn.sock
    if cancel is None or sock is None:
        return True
    while True:
        if response is not None and response.fp is not None:
            sock.setblocking(False)
            try:
                buffered = response.fp.peek(1)
            except (BlockingIOError, ValueError):
                buffered = b""
            finally:
                sock.settimeout(CALL_TIMEOUT_S)
            if buffered:
                return True
        if cancel.cancelled:
            return False
        readable, _, _ = select.select([sock], [], [], POLL_SECONDS)
        if readable:  # data, or the end of the connection: either way a read returns
            return True


def _sse_events(
    response: http.client.HTTPResponse,
    conn: http.client.HTTPConnection,
    cancel: CancelToken | None,
) -> Iterator[dict[str, Any]]:
    """The JSON objects of a server-sent event stream, up to ``data: [DONE]``; stops early,
    without waiting for the server, once ``cancel`` is set."""
    lines: list[str] = []
    while True:
        if not _wait_for_data(conn, response, cancel):
            return
        raw = response.readline()
        if not raw:
            break
        line = raw.decode("utf-8").rstrip("\r\n")
        if line.startswith(":"):
            continue  # a comment: sse-starlette's keep-alive pings
        if line:
            if line.startswith("data:"):
                lines.append(line[5:].lstrip(" "))
            continue
        if not lines:
            continue
        payload, lines = "\n".join(lines), []
        if payload == "[DONE]":
            return
        try:
            data = json.loads(payload)
        except ValueError:
            continue
        if isinstance(data, dict):
            yield data
    if lines and lines != ["[DONE]"]:
        try:
            data = json.loads("\n".join(lines))
        except ValueError:
            return
        if isinstance(data, dict):
            yield data
