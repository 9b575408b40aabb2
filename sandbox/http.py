"""A small threaded HTTP server with a route table and a call journal, shared by every sandbox.

Every sandbox answers `GET /_sandbox/state` with what it holds and each call it received, so
tests can assert on what Kuber actually sent. The standard library server is enough here: it
streams (for Kubernetes watches), needs no event loop and starts in milliseconds.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    handler: BaseHTTPRequestHandler | None = None

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    #: When set, the handler writes the body itself (streaming) and the server sends nothing more.
    streamed: bool = False


Handler = Callable[[Request], Response]


@dataclass
class Fault:
    """An injected failure: requests whose `METHOD /path` matches `match` get `status`.

    It applies `times` times (0 = unlimited) and/or until `until` (a monotonic deadline);
    `delay` sleeps first, to look like a slow or hung server.
    """

    match: re.Pattern[str]
    status: int
    times: int = 0
    until: float | None = None
    delay: float = 0.0
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = 0

    def applies(self, method: str, path: str) -> bool:
        if self.until is not None and time.monotonic() > self.until:
            return False
        if self.times and self.hits >= self.times:
            return False
        return bool(self.match.search(f"{method} {path}"))


class SandboxServer:
    """Routes `METHOD /path/{param}` to handlers, records calls, serves `/_sandbox/state`."""

    name = "sandbox"

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.RLock()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None
        self.faults: list[Fault] = []
        self.route("GET", "/_sandbox/state", lambda _req: Response(body=self.state_snapshot()))
        self.route("POST", "/_sandbox/faults", self._add_fault)
        self.route("DELETE", "/_sandbox/faults", self._clear_faults)

    # -- routing ---------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"
        self._routes.append((method, re.compile(regex), handler))

    def dispatch(self, request: Request) -> Response:
        if not request.path.startswith("/_sandbox/"):
            fault = self._take_fault(request)
            if fault is not None:
                if fault.delay:
                    time.sleep(fault.delay)
                body = fault.body if fault.body is not None else self.fault_body(fault.status)
                return Response(fault.status, body, headers=dict(fault.headers))
        allowed = False
        for method, regex, handler in self._routes:
            match = regex.match(request.path)
            if not match:
                continue
            allowed = True
            if method != request.method:
                continue
            request.params = match.groupdict()
            return handler(request)
        if allowed:
            return Response(405, {"error": f"{request.method} not allowed on {request.path}"})
        return self.not_found(request)

    # -- fault injection -------------------------------------------------------------------
    def inject(
        self,
        match: str,
        status: int,
        *,
        times: int = 0,
        for_seconds: float | None = None,
        delay: float = 0.0,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Make matching requests fail; also reachable as `POST /_sandbox/faults`."""
        until = time.monotonic() + for_seconds if for_seconds is not None else None
        fault = Fault(re.compile(match), status, times, until, delay, body, dict(headers or {}))
        with self.lock:
            self.faults.append(fault)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def fault_body(self, status: int) -> Any:
        """The body of an injected failure, in the protocol's own error shape."""
        return {"error": f"injected fault {status}"}

    def _take_fault(self, request: Request) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.applies(request.method, request.path):
                    fault.hits += 1
                    return fault
        return None

    def _add_fault(self, request: Request) -> Response:
        spec = request.json() or {}
        try:
            self.inject(
                spec["match"],
                int(spec["status"]),
                times=int(spec.get("times", 0)),
                for_seconds=spec.get("for_seconds"),
                delay=float(spec.get("delay", 0.0)),
                body=spec.get("body"),
                headers=spec.get("headers"),
            )
        except (KeyError, TypeError, ValueError, re.error) as exc:
            return Response(400, {"error": f"bad fault: {exc}"})
        return Response(201, {"ok": True})

    def _clear_faults(self, _request: Request) -> Response:
        self.clear_faults()
        return Response(200, {"ok": True})

    def not_found(self, request: Request) -> Response:
        return Response(404, {"error": f"no route for {request.method} {request.path}"})

    # -- journal ---------------------------------------------------------------------------
    def record(self, request: Request, status: int) -> None:
        if request.path == "/_sandbox/state":
            return
        entry: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "query": {k: v if len(v) > 1 else v[0] for k, v in request.query.items()},
            "status": status,
            "at": time.time(),
        }
        entry.update(self.describe_call(request))
        with self.lock:
            self.calls.append(entry)

    def describe_call(self, request: Request) -> dict[str, Any]:
        """What a call carried, for the journal; sandboxes override to name API methods."""
        if not request.body:
            return {}
        try:
            return {"body": request.json()}
        except ValueError:
            return {"body": request.body.decode("utf-8", "replace")}

    def state(self) -> dict[str, Any]:
        """What the sandbox holds; each sandbox overrides this."""
        return {}

    def state_snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"server": self.name, **self.state(), "calls": list(self.calls)}

    # -- life ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, poll_interval: float = 0.02) -> Self:
        # A short poll keeps `stop()` quick; the default half second adds up over a test run.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            args=(poll_interval,),
            name=f"{self.name}-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        sandbox = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return  # the journal records calls; stderr stays quiet for the console

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    handler=self,
                )
                try:
                    response = sandbox.dispatch(request)
                except Exception as exc:  # a sandbox bug must show up as a 500, not a hang
                    response = Response(500, {"error": f"sandbox error: {exc!r}"})
                sandbox.record(request, response.status)
                if response.streamed:
                    self.close_connection = True
                    return
                self._write(response)

            def _write(self, response: Response) -> None:
                if isinstance(response.body, bytes | bytearray):
                    payload = bytes(response.body)
                elif isinstance(response.body, str):
                    payload = response.body.encode()
                elif response.body is None:
                    payload = b""
                else:
                    payload = json.dumps(response.body).encode()
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in response.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        return _Handler
