"""A local Jenkins: enough of its remote API that python-jenkins works against it unchanged.

Basic auth with a user's API token (401 without), a crumb issuer and a 403 "No valid crumb"
for a POST without the current one (`restart()` makes every issued crumb stale, as a real
restart does), jobs in folders (`job/a/job/b`) with parameter definitions, `build` and
`buildWithParameters` answering 201 with the queue item's `Location`, a queue whose items
wait out a quiet period and an executor, builds that print their console and pass through
their stages over a few seconds, `stop`, artifacts, and the Notification plugin's POST when a
build starts and ends. `GET /_sandbox/state` shows the jobs, the queue, the builds and calls.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any, Self
from urllib.parse import parse_qs, unquote

import httpx

from sandbox.http import Request, Response, SandboxServer
from sandbox.jenkins_json import (
    JENKINS_VERSION,
    build_json,
    build_url,
    folder_json,
    job_json,
    job_url,
    notification,
    queue_item_json,
    queue_json,
    root_json,
    stages_json,
)
from sandbox.jenkins_model import (
    Build,
    Folder,
    JenkinsWorld,
    Job,
    JobSpec,
    ParameterSpec,
    user_cause,
)
from sandbox.jenkins_tree import TreeError, apply_tree, parse_tree

__all__ = ["JenkinsSandbox", "JobSpec", "ParameterSpec"]

CRUMB_FIELD = "Jenkins-Crumb"
#: `job/a/job/b` (any depth) at the start of a path: the item's full name.
ITEM = r"(?P<item>(?:/job/[^/]+)+)"
PERMALINK = r"(?P<number>\d+|lastBuild|lastCompletedBuild|lastSuccessfulBuild|lastStableBuild|lastFailedBuild|lastUnstableBuild|lastUnsuccessfulBuild)"  # noqa: E501
#: A `tree` asks for any depth it names.
TREE_DEPTH = 12


class JenkinsSandbox(SandboxServer):
    name = "jenkins"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        user: str = "kuber",
        token: str | None = None,
        full_name: str = "Kuber Bot",
        quiet_period: float = 1.0,
        build_duration: float = 4.0,
        executors: int = 4,
        tick: float = 0.05,
        notify_url: str | None = None,
        notify_headers: dict[str, str] | None = None,
        notify_event: str = "all",
    ) -> None:
        super().__init__(host, port)
        self.world = JenkinsWorld(
            quiet_period=quiet_period,
            build_duration=build_duration,
            executors=executors,
            on_phase=self._phase,
        )
        self.tick = tick
        #: user id -> (API token, full name). Both the token and a password log in.
        self.users: dict[str, tuple[str, str]] = {user: (token or secrets.token_hex(17), full_name)}
        self.user = user
        self._crumb_salt = secrets.token_bytes(16)
        self.crumbs_issued = 0
        self.restarts = 0
        self.notify_url = notify_url
        self.notify_headers = dict(notify_headers or {})
        #: "all", or one of "started", "completed", "finalized": which phases are sent.
        self.notify_event = notify_event
        #: Every notification sent: the payload and how the receiver answered.
        self.notifications: list[dict[str, Any]] = []
        self._outgoing: list[dict[str, Any]] = []
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._clock: threading.Thread | None = None
        self._sender: threading.Thread | None = None
        self._routes_jenkins()

    @property
    def token(self) -> str:
        return self.users[self.user][0]

    # -- set-up ----------------------------------------------------------------------------
    def add_job(self, spec: JobSpec) -> Job:
        with self.lock:
            return self.world.add_job(spec)

    def add_folder(self, full_name: str, description: str = "") -> Folder:
        with self.lock:
            return self.world.add_folder(full_name, description)

    def restart(self) -> None:
        """As after a Jenkins restart: every crumb handed out so far is no longer valid."""
        with self.lock:
            self._crumb_salt = secrets.token_bytes(16)
            self.restarts += 1

    def end_quiet_period(self, queue_id: int | None = None) -> None:
        """Let a waiting queue item (or every one) start at the next tick, as "Build now"
        on a queued item does: tests see an item wait, then go on without sleeping."""
        with self.lock:
            now = time.time()
            for item in self.world.queue.values():
                if item.waiting and queue_id in (None, item.id):
                    item.quiet_until = min(item.quiet_until, now)

    def build_of(self, job: str, number: int) -> Build | None:
        with self.lock:
            found = self.world.job(job)
            return found.build(number) if found else None

    # -- life ------------------------------------------------------------------------------
    def start(self, poll_interval: float = 0.02) -> Self:
        super().start(poll_interval)
        self._clock = threading.Thread(target=self._run_clock, name="jenkins-clock", daemon=True)
        self._clock.start()
        self._sender = threading.Thread(target=self._send, name="jenkins-notify", daemon=True)
        self._sender.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        super().stop()
        for thread in (self._clock, self._sender):
            if thread is not None:
                thread.join(timeout=5)

    def _run_clock(self) -> None:
        while not self._stopping.wait(self.tick):
            with self.lock:
                self.world.tick(time.time())

    # -- the Notification plugin -----------------------------------------------------------
    def _phase(self, build: Build, phase: str) -> None:
        """Called under the lock when a build starts and ends: queue the plugin's POST."""
        if self.notify_url is None:
            return
        if self.notify_event not in ("all", phase.lower()):
            return
        self._outgoing.append(notification(self.base, build, phase))
        self._wake.set()

    def _send(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            while not self._stopping.is_set():
                self._wake.wait(1.0)
                self._wake.clear()
                while True:
                    with self.lock:
                        if not self._outgoing or self.notify_url is None:
                            break
                        payload = self._outgoing.pop(0)
                        url, headers = self.notify_url, dict(self.notify_headers)
                    record: dict[str, Any] = {"payload": payload, "url": url}
                    try:
                        answer = client.post(url, json=payload, headers=headers)
                        record["status"] = answer.status_code
                    except httpx.HTTPError as exc:
                        record["error"] = repr(exc)
                    with self.lock:
                        self.notifications.append(record)

    # -- routes ----------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return self.url + "/"

    def _routes_jenkins(self) -> None:
        get, post = "GET", "POST"
        routes: list[tuple[str, str, Callable[[Request], Response]]] = [
            (get, "/api/json", self._root),
            (get, "/", self._page),
            (get, "/crumbIssuer/api/json", self._crumb),
            (get, "/me/api/json", self._me),
            (get, "/whoAmI/api/json", self._me),
            (get, "/queue/api/json", self._queue),
            (get, r"/queue/item/(?P<id>\d+)/api/json", self._queue_item),
            (post, "/queue/cancelItem", self._cancel_item),
            (get, ITEM + "/api/json", self._item),
            (get, ITEM + "/?", self._page),
            (post, ITEM + "/build", self._build),
            (post, ITEM + "/buildWithParameters", self._build_with_parameters),
            (get, ITEM + "/" + PERMALINK + "/api/json", self._build_info),
            (get, ITEM + "/" + PERMALINK + "/?", self._page),
            (get, ITEM + "/" + PERMALINK + "/consoleText", self._console),
            (get, ITEM + "/" + PERMALINK + "/logText/progressiveText", self._progressive),
            (get, ITEM + "/" + PERMALINK + "/wfapi/describe/?", self._stages),
            (post, ITEM + "/" + PERMALINK + "/stop", self._stop),
            (get, ITEM + "/" + PERMALINK + "/artifact/(?P<path>.+)", self._artifact),
            (post, "/_sandbox/restart", self._restart),
        ]
        for method, pattern, handler in routes:
            if pattern.startswith("/_sandbox/"):
                self.route(method, pattern, handler)
            else:
                self.route(method, pattern, self._guarded(handler))

    def _guarded(self, handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
        """Authentication, then the crumb of a POST, then the handler; every answer says which
        Jenkins it is (`X-Jenkins`), as python-jenkins' `get_version` reads it."""

        def serve(request: Request) -> Response:
            user = self._user(request)
            if user is None:
                return _with_version(_unauthorized(request))
            if request.method == "POST" and not self._crumb_valid(request, user):
                return _with_version(
                    Response(
                        403,
                        _html(403, "No valid crumb was included in the request"),
                        content_type="text/html;charset=utf-8",
                    )
                )
            request.params["user"] = user
            return _with_version(handler(request))

        return serve

    def not_found(self, request: Request) -> Response:
        if self._user(request) is None:
            return _with_version(_unauthorized(request))
        return _with_version(_not_found())

    def fault_body(self, status: int) -> Any:
        return _html(status, "Injected fault")

    # -- authentication and crumbs ---------------------------------------------------------
    def _user(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        name, _, secret = decoded.partition(":")
        with self.lock:
            known = self.users.get(name)
        if known is None or not hmac.compare_digest(known[0], secret):
            return None
        return name

    def _crumb_for(self, user: str) -> str:
        return hmac.new(self._crumb_salt, user.encode(), hashlib.sha256).hexdigest()

    def _crumb_valid(self, request: Request, user: str) -> bool:
        given = request.headers.get(CRUMB_FIELD.lower()) or _form(request).get(CRUMB_FIELD)
        with self.lock:
            expected = self._crumb_for(user)
        return bool(given) and hmac.compare_digest(str(given), expected)

    def _crumb(self, request: Request) -> Response:
        with self.lock:
            self.crumbs_issued += 1
            crumb = self._crumb_for(request.params["user"])
        return Response(
            body={
                "_class": "hudson.security.csrf.DefaultCrumbIssuer",
                "crumb": crumb,
                "crumbRequestField": CRUMB_FIELD,
            }
        )

    def _me(self, request: Request) -> Response:
        user = request.params["user"]
        with self.lock:
            full_name = self.users[user][1]
        return Response(
            body={
                "_class": "hudson.model.User",
                "absoluteUrl": f"{self.base}user/{user}",
                "description": None,
                "fullName": full_name,
                "id": user,
                "property": [],
            }
        )

    # -- reading ---------------------------------------------------------------------------
    def _render(self, request: Request, make: Callable[[int], dict[str, Any]]) -> Response:
        tree = request.arg("tree")
        try:
            if tree:
                nodes = parse_tree(tree)
                with self.lock:
                    return Response(body=apply_tree(make(TREE_DEPTH), nodes))
            depth = int(request.arg("depth", "0") or 0)
        except (TreeError, ValueError) as exc:
            return Response(400, _html(400, str(exc)), content_type="text/html;charset=utf-8")
        with self.lock:
            return Response(body=make(depth))

    def _root(self, request: Request) -> Response:
        return self._render(request, lambda depth: root_json(self.base, self.world, depth))

    def _item(self, request: Request) -> Response:
        name = _full_name(request)
        with self.lock:
            node = self.world.item(name)
        if isinstance(node, Folder) and node is not self.world.root:
            folder = node
            return self._render(
                request, lambda depth: folder_json(self.base, self.world, folder, depth)
            )
        if isinstance(node, Job):
            job = node
            return self._render(request, lambda depth: job_json(self.base, self.world, job, depth))
        return _not_found()

    def _queue(self, request: Request) -> Response:
        return self._render(request, lambda _depth: queue_json(self.base, self.world))

    def _queue_item(self, request: Request) -> Response:
        with self.lock:
            item = self.world.queue.get(int(request.params["id"]))
            if item is None:
                return _not_found()
            return Response(body=queue_item_json(self.base, item, time.time()))

    def _find_build(self, request: Request) -> tuple[Job | None, Build | None]:
        with self.lock:
            job = self.world.job(_full_name(request))
            if job is None:
                return None, None
            number = request.params["number"]
            build = job.build(int(number)) if number.isdigit() else job.permalink(number)
            return job, build

    def _build_info(self, request: Request) -> Response:
        _, build = self._find_build(request)
        if build is None:
            return _not_found()
        found = build
        return self._render(request, lambda _depth: build_json(self.base, found))

    def _console(self, request: Request) -> Response:
        _, build = self._find_build(request)
        if build is None:
            return _not_found()
        with self.lock:
            text = build.text()
        return Response(body=text, content_type="text/plain;charset=utf-8")

    def _progressive(self, request: Request) -> Response:
        """`logText/progressiveText?start=N`: the log from byte N, its size so far in
        `X-Text-Size`, and `X-More-Data: true` while the build may still print."""
        _, build = self._find_build(request)
        if build is None:
            return _not_found()
        try:
            start = max(0, int(request.arg("start", "0") or 0))
        except ValueError:
            start = 0
        with self.lock:
            data = build.text().encode("utf-8")
            building = build.building
        if start > len(data):
            start = 0  # as Jenkins does for a start beyond the end: from the beginning
        headers = {"X-Text-Size": str(len(data))}
        if building:
            headers["X-More-Data"] = "true"
        return Response(body=data[start:], headers=headers, content_type="text/plain;charset=utf-8")

    def _stages(self, request: Request) -> Response:
        job, build = self._find_build(request)
        if job is None or build is None or not job.spec.pipeline:
            return _not_found()
        with self.lock:
            return Response(body=stages_json(self.base, build, time.time()))

    def _artifact(self, request: Request) -> Response:
        _, build = self._find_build(request)
        path = unquote(request.params["path"])
        with self.lock:
            content = build.artifacts.get(path) if build is not None else None
        if content is None:
            return _not_found()
        return Response(body=content, content_type="application/octet-stream")

    def _page(self, request: Request) -> Response:
        """The HTML pages a browser (or a followed redirect) lands on."""
        if request.path != "/":
            with self.lock:
                found = self.world.item(_full_name(request))
            if found is None:
                return _not_found()
        title = unquote(request.path.strip("/")) or "Dashboard"
        return Response(
            body=f"<html><head><title>{title} [Jenkins]</title></head><body></body></html>",
            content_type="text/html;charset=utf-8",
        )

    # -- changing --------------------------------------------------------------------------
    def _build(self, request: Request) -> Response:
        return self._schedule(request, _form(request), parameterized_call=False)

    def _build_with_parameters(self, request: Request) -> Response:
        return self._schedule(request, _form(request), parameterized_call=True)

    def _schedule(
        self, request: Request, given: dict[str, str], *, parameterized_call: bool
    ) -> Response:
        name = _full_name(request)
        user = request.params["user"]
        delay = _delay(request.arg("delay"))
        with self.lock:
            job = self.world.job(name)
            if job is None:
                return _not_found()
            if parameterized_call and not job.parameterized:
                return Response(
                    400,
                    _html(400, f"{job.full_name} is not parameterized"),
                    content_type="text/html;charset=utf-8",
                )
            cause = user_cause(user, self.users[user][1])
            try:
                item = self.world.schedule(job, given, [cause], now=time.time(), delay=delay)
            except ValueError as exc:
                return Response(400, _html(400, str(exc)), content_type="text/html;charset=utf-8")
        return Response(
            201,
            b"",
            headers={"Location": f"{self.base}queue/item/{item.id}/"},
            content_type="text/plain",
        )

    def _cancel_item(self, request: Request) -> Response:
        try:
            queue_id = int(request.arg("id") or _form(request).get("id", ""))
        except ValueError:
            return Response(
                400, _html(400, "id is required"), content_type="text/html;charset=utf-8"
            )
        with self.lock:
            self.world.cancel(queue_id, now=time.time())
        return Response(204, b"", content_type="text/plain")

    def _stop(self, request: Request) -> Response:
        """Abort a running build; Jenkins answers with a redirect to the build's page."""
        _, build = self._find_build(request)
        if build is None:
            return _not_found()
        with self.lock:
            self.world.abort(build, request.params["user"], now=time.time())
            location = build_url(self.base, build)
        return Response(302, b"", headers={"Location": location}, content_type="text/plain")

    def _restart(self, _request: Request) -> Response:
        self.restart()
        return Response(body={"ok": True, "restarts": self.restarts})

    # -- the journal -----------------------------------------------------------------------
    def describe_call(self, request: Request) -> dict[str, Any]:
        described: dict[str, Any] = {}
        if request.body:
            described["form"] = _form(request)
        if request.headers.get(CRUMB_FIELD.lower()):
            described["crumb"] = True
        return described

    def state(self) -> dict[str, Any]:
        now = time.time()
        jobs = []
        for job in self.world.jobs():
            jobs.append(
                {
                    "name": job.full_name,
                    "url": job_url(self.base, job),
                    "pipeline": job.spec.pipeline,
                    "parameters": [p.name for p in job.spec.parameters],
                    "builds": [
                        {
                            "number": b.number,
                            "result": b.result,
                            "building": b.building,
                            "parameters": dict(b.parameters),
                            "queueId": b.queue_id,
                            "startedBy": [c.get("userId") for c in b.causes],
                            "abortedBy": b.aborted_by,
                        }
                        for b in job.newest_first()
                    ],
                }
            )
        return {
            "jobs": jobs,
            "queue": [queue_item_json(self.base, i, now) for i in self.world.queue.values()],
            "crumbsIssued": self.crumbs_issued,
            "restarts": self.restarts,
            "notifications": list(self.notifications),
        }


def _full_name(request: Request) -> str:
    item = request.params.get("item", "")
    return "/".join(unquote(part) for part in item.split("/job/") if part)


def _form(request: Request) -> dict[str, str]:
    """Query and form fields together, as Jenkins reads build parameters from either."""
    fields = {k: v[0] for k, v in request.query.items() if v}
    content_type = request.headers.get("content-type", "")
    if request.body and "application/x-www-form-urlencoded" in content_type:
        body = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        fields.update({k: v[0] for k, v in body.items() if v})
    for key in ("delay", "token"):
        fields.pop(key, None)
    return fields


def _delay(text: str | None) -> float | None:
    """`delay=0sec` (or a bare number of seconds) overrides the quiet period."""
    if not text:
        return None
    try:
        return max(0.0, float(text.removesuffix("sec")))
    except ValueError:
        return None


def _html(status: int, message: str) -> str:
    return (
        f"<html><head><title>Error {status} {message}</title></head>"
        f"<body><h2>HTTP ERROR {status} {message}</h2></body></html>"
    )


def _unauthorized(request: Request) -> Response:
    given = request.headers.get("authorization")
    message = "Invalid password/token for user" if given else "Authentication required"
    return Response(
        401,
        _html(401, message),
        headers={"WWW-Authenticate": 'Basic realm="Jenkins"'},
        content_type="text/html;charset=utf-8",
    )


def _not_found() -> Response:
    return Response(404, _html(404, "Not Found"), content_type="text/html;charset=utf-8")


def _with_version(response: Response) -> Response:
    response.headers.setdefault("X-Jenkins", JENKINS_VERSION)
    return response
