"""`kuber serve`: one ASGI app (Starlette under uvicorn) with every route Kuber answers.

Routes acknowledge at once and hand work to a bounded pool of worker threads: blocking
clients (Kubernetes, Slack, Mattermost, the database) never run on the event loop. Every
replica that reaches the database is ready and takes requests; the leader lease decides only
who runs the background work (sending the outbox, listening, recovering what stopped replicas
left). Stopping is graceful and bounded: not ready, no new work, claims handed back, lease
released, well inside Kubernetes' 30-second grace period.
"""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any

import structlog
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)
from slack_bolt import App
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.alerts.enrich_sources import alert_enrichers
from bot.alerts.pipeline import AlertPipeline
from bot.chat.slack_app import SlackSocketMode, SlackUserNames, build_slack_app, dispatch_http
from bot.chat.slack_transport import SlackTransport, slack_web_client
from bot.chat.transport import ChatTransport
from bot.conversation import Conversation
from bot.heartbeat import Heartbeat
from bot.inbox import Inbox, NameLookup
from bot.jenkins_notify import notify_route
from bot.leader import Leadership, replica_id
from bot.logs import get_logger
from bot.outbox import Fence, Outbox
from bot.retention import PRUNE_INTERVAL, prune
from bot.runtime import Runtime
from bot.schedule import Timetable
from bot.standup_schedule import standup_jobs

log = get_logger(__name__)

#: Larger bodies are refused with 413 before anything reads them.
MAX_BODY = 1024 * 1024
#: The leader lease's name in the database.
LEASE = "kuber-server"
#: The whole graceful stop, and the part of it given to work in flight.
STOP_BUDGET = 20.0
WORK_GRACE = 8.0
#: How often the leader looks for work nobody holds (handed back, or a dead replica's).
RECOVERY_INTERVAL = 2.0


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.refused = Counter(
            "kuber_requests_refused",
            "HTTP requests refused before any work (bad signature, token, body).",
            ["route", "reason"],
            registry=self.registry,
        )
        self.accepted = Counter(
            "kuber_requests_accepted",
            "HTTP requests handed to a worker.",
            ["route"],
            registry=self.registry,
        )
        self.answered_4xx = Counter(
            "kuber_requests_answered_4xx",
            "HTTP requests answered with a client error, by route and status.",
            ["route", "status"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "kuber_outbox_pending", "Chat messages waiting in the outbox.", registry=self.registry
        )


class BodyLimit:
    """Refuse bodies over `limit` bytes with 413 before the app sees a byte of them.

    The body is read here (it is small by definition) and handed on whole, so a refusal can
    always be a clean 413, also for chunked bodies that declare no length.
    """

    def __init__(self, app: ASGIApp, limit: int, on_refuse: Callable[[str], None]) -> None:
        self.app = app
        self.limit = limit
        self.on_refuse = on_refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            self.on_refuse(path)
            await _too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the app will see the disconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                self.on_refuse(path)
                await _too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class CountRefusals:
    """Count every 4xx answer by route and status: refusals are worth a dashboard.

    Labels name Kuber's own routes; every other path counts as `unmatched`, so a scanner
    trying thousands of paths adds one series, not thousands.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: frozenset[str]) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and 400 <= message["status"] < 500:
                path = str(scope.get("path", ""))
                route = path if path in self.routes else "unmatched"
                self.metrics.answered_4xx.labels(route=route, status=str(message["status"])).inc()
            await send(message)

        await self.app(scope, receive, counting_send)


async def _too_large(send: Send) -> None:
    body = b'{"error": "request body is over 1 MiB"}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class KuberServer:
    """The running service: outbox, chat platforms, worker pool and the ASGI app."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        workers: int = 16,
        lease_ttl: float = 15.0,
        claim_ttl: float = 30.0,
    ) -> None:
        self.runtime = runtime
        self.owner = replica_id()
        self.stopping = threading.Event()
        self._futures: set[Future[None]] = set()
        self._futures_lock = threading.Lock()
        runtime.dispatcher.renewed_by(self.owner, claim_ttl)
        self.heartbeat = Heartbeat(runtime.store, self.owner, ttl=claim_ttl)
        self.metrics = Metrics()
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kuber-worker")
        # Approvals follow rollouts for minutes: they get their own threads.
        self.apply_pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kuber-apply")
        env = runtime.settings.env
        transports: dict[str, ChatTransport] = {}
        names: dict[str, NameLookup] = {}
        self.slack_app: App | None = None
        self.mattermost_listener: Any = None
        self._mattermost: Any = None
        if env.slack_bot_token:
            token = env.slack_bot_token.get_secret_value()
            client = slack_web_client(token, env.slack_api_url)
            transports["slack"] = SlackTransport(client)
            names["slack"] = SlackUserNames(client).name
            self._slack_client = client
        if env.mattermost_url and env.mattermost_token:
            from bot.chat.mattermost import build_mattermost

            self._mattermost = build_mattermost(runtime.settings)
            transports["mattermost"] = self._mattermost.transport
        self.outbox = Outbox(runtime.store, transports, owner=self.owner)
        #: The leader's timetable: each team's stand-up digest.
        self.timetable = Timetable(
            standup_jobs(runtime, self.outbox.enqueue_post, tuple(self.outbox.transports))
        )
        self.inbox = Inbox(
            runtime.store,
            runtime.dispatcher,
            self.conversation,
            self.submit,
            submit_click=lambda work: self.submit(work, pool=self.apply_pool),
            owner=self.owner,
            claim_ttl=claim_ttl,
            names=names,
        )
        # Alertmanager's deliveries: stored by any replica, rendered by the leader.
        self.alerts = AlertPipeline(
            runtime.store,
            runtime.settings,
            self.outbox,
            self.submit,
            platforms=tuple(transports),
            owner=self.owner,
            claim_ttl=claim_ttl,
            enrichers=alert_enrichers(runtime.settings, runtime.store, runtime.services),
        )
        if env.slack_bot_token and env.slack_signing_secret:
            self.slack_app = build_slack_app(
                signing_secret=env.slack_signing_secret.get_secret_value(),
                client=self._slack_client,
                receiver=self.inbox,
                ref_for=self.outbox.ref_for,
            )
        self._socket_mode: SlackSocketMode | None = None
        self.leadership = Leadership(
            runtime.store,
            LEASE,
            on_elected=self._lead,
            on_deposed=self._follow,
            ttl=lease_ttl,
            holder=self.owner,
        )
        self._background_stop = threading.Event()
        self._background: threading.Thread | None = None
        self.app = self._build_app()

    # -- plumbing shared by the platforms ----------------------------------------------------
    def conversation(self, platform: str, channel: str, thread: str | None) -> Conversation:
        return self.outbox.conversation(platform, channel, thread)

    def submit(self, work: Callable[[], None], pool: ThreadPoolExecutor | None = None) -> None:
        """Run `work` on a worker thread; a failure is logged, never lost silently."""
        context = structlog.contextvars.get_contextvars()

        def run() -> None:
            structlog.contextvars.bind_contextvars(**context)
            try:
                work()
            except Exception:
                log.exception("background work failed")

        future = (pool or self.pool).submit(run)
        with self._futures_lock:
            self._futures.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self._futures_lock:
            self._futures.discard(future)

    def refused(self, route: str, reason: str) -> None:
        self.metrics.refused.labels(route=route, reason=reason).inc()
        log.warning("request refused", route=route, reason=reason)

    # -- life --------------------------------------------------------------------------------
    def start(self) -> None:
        """Serve at once; campaign for leadership, which brings the single-replica work."""
        self.heartbeat.start()
        self.leadership.start()

    def stop(self) -> None:
        """Stop within `STOP_BUDGET` seconds: not ready, no new work, work in flight given
        `WORK_GRACE` seconds, then every claim handed back and the lease released, so the
        next leader picks up at once what this replica leaves."""
        deadline = time.monotonic() + STOP_BUDGET
        self.stopping.set()
        # Long work (following a rollout) ends at its next look and stays claimable.
        self.runtime.dispatcher.interrupt.set()
        # Stop taking Socket Mode envelopes before the workers they would go to are gone.
        self._stop_socket_mode()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.apply_pool.shutdown(wait=False, cancel_futures=True)
        with self._futures_lock:
            running = set(self._futures)
        _, unfinished = wait_for_futures(running, timeout=WORK_GRACE)
        if unfinished:
            log.warning("stopping with work in flight; handing it back", count=len(unfinished))
        self.heartbeat.stop()
        self.leadership.stop()  # stops the sender and listeners, then releases the lease
        try:
            handed = self.inbox.hand_back()
            handed += self.runtime.dispatcher.hand_back_plans()
            handed += self.alerts.hand_back()
            handed += self.outbox.hand_back()
        except Exception as exc:  # the claims expire on their own
            log.warning("claims not handed back", error=repr(exc))
        else:
            if handed:
                log.info("claims handed back", count=handed)
        log.info("stopped", seconds_left=round(deadline - time.monotonic(), 1))

    def _lead(self, epoch: int) -> None:
        """Become the replica that sends, listens and recovers: only one may, or users would
        see every message twice."""
        self.outbox.start(Fence(LEASE, self.owner, epoch))
        self.timetable.lead()
        self.alerts.lead()
        self._background_stop.clear()
        self._background = threading.Thread(
            target=self._recover_forever, name="recovery", daemon=True
        )
        self._background.start()
        env = self.runtime.settings.env
        if self._mattermost is not None:
            try:
                listener = self._mattermost.listener_factory(self.inbox.accept_message)
                self.mattermost_listener = listener.start()
            except Exception as exc:  # the HTTP routes still work without the websocket
                log.warning("mattermost websocket not started", error=str(exc))
        if self.slack_app is not None and env.slack_app_token:
            token = env.slack_app_token.get_secret_value()
            self._socket_mode = SlackSocketMode(self.slack_app, token).start()

    def _follow(self) -> None:
        if self.mattermost_listener is not None:
            self.mattermost_listener.stop()
            self.mattermost_listener = None
        self._stop_socket_mode()
        self._background_stop.set()
        if self._background is not None:
            self._background.join(timeout=5)
            self._background = None
        self.alerts.follow()
        self.outbox.stop(timeout=5)

    def _recover_forever(self) -> None:
        next_prune = time.monotonic()
        while not self._background_stop.is_set() and not self.stopping.is_set():
            try:
                self.recover_once()
                self.timetable.tick()
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_INTERVAL.total_seconds()
                    pruned = prune(self.runtime.store, self.runtime.settings.config.retention)
                    if pruned.total:
                        log.info("old rows pruned", **asdict(pruned))
            except Exception:
                log.exception("recovery pass failed")
            self._background_stop.wait(RECOVERY_INTERVAL)

    def recover_once(self) -> None:
        """Take up what nobody holds: inbox rows handed back or left by a dead replica, and
        plans whose replica stopped while applying them or following their rollout."""
        if not self.leadership.leading:
            return
        self.inbox.recover()
        self.alerts.recover()
        for pending in self.runtime.dispatcher.claim_abandoned_plans():
            conversation = self.conversation(pending.platform, pending.channel, pending.thread)
            resume = partial(self.runtime.dispatcher.resume, pending, conversation)
            self.submit(resume, pool=self.apply_pool)

    def _stop_socket_mode(self) -> None:
        socket_mode, self._socket_mode = self._socket_mode, None
        if socket_mode is not None:
            socket_mode.close()

    # -- routes ------------------------------------------------------------------------------
    def _build_app(self) -> ASGIApp:
        routes = [
            Route("/healthz", self.healthz, methods=["GET"]),
            Route("/readyz", self.readyz, methods=["GET"]),
            Route("/metrics", self.metrics_endpoint, methods=["GET"]),
            Route("/slack/events", self.slack_events, methods=["POST"]),
        ]
        routes += self.alerts.routes(
            refused=self.refused,
            accepted=lambda: self.metrics.accepted.labels(route="/alertmanager/webhook").inc(),
        )
        # Build results Jenkins sends for builds not started from chat.
        transports = tuple(self.outbox.transports)
        routes.append(notify_route(self.runtime.settings, self.outbox.enqueue_post, transports))
        if self._mattermost is not None or self.runtime.settings.env.mattermost_command_token:
            from bot.chat.mattermost_routes import mattermost_routes

            routes += mattermost_routes(
                settings=self.runtime.settings,
                receiver=self.inbox,
                ref_for=self.outbox.ref_for,
                driver=self._mattermost.driver if self._mattermost else None,
            )
        app = Starlette(routes=routes, lifespan=self._lifespan)
        counted = CountRefusals(app, self.metrics, frozenset(r.path for r in routes))
        return BodyLimit(counted, MAX_BODY, lambda path: self.refused(path, "body over 1 MiB"))

    @asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(self.start)
        yield
        await run_in_threadpool(self.stop)

    async def healthz(self, _request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(self, _request: Request) -> Response:
        """Ready means "can take work": the database answers and the replica is not stopping.
        Every replica is ready, leader or not; `leader` says which one runs background work."""

        def check() -> dict[str, Any]:
            with self.runtime.store.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return {
                "database": "ok",
                "leader": self.leadership.leading,
                "outbox_pending": self.outbox.pending_count(),
            }

        if self.stopping.is_set():
            return JSONResponse({"status": "stopping"}, status_code=503)
        try:
            return JSONResponse({"status": "ready", **await run_in_threadpool(check)})
        except Exception as exc:
            return JSONResponse(
                {"status": "not ready", "error": type(exc).__name__}, status_code=503
            )

    async def metrics_endpoint(self, _request: Request) -> Response:
        pending = await run_in_threadpool(self.outbox.pending_count)
        self.metrics.outbox_pending.set(pending)
        return Response(generate_latest(self.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    async def slack_events(self, request: Request) -> Response:
        if self.slack_app is None:
            return JSONResponse({"error": "Slack is not configured on this Kuber"}, status_code=404)
        body = await request.body()
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            self.refused("/slack/events", "body not UTF-8")
            return JSONResponse({"error": "the request body is not UTF-8"}, status_code=400)
        headers = dict(request.headers.items())
        # Bolt verifies, parses and acknowledges; it blocks, so it runs off the event loop.
        response = await run_in_threadpool(
            dispatch_http, self.slack_app, body, request.url.query, headers
        )
        if response.status == 401:
            self.refused("/slack/events", "bad signature or stale timestamp")
        elif response.status < 400:
            self.metrics.accepted.labels(route="/slack/events").inc()
        return Response(
            content=response.body,
            status_code=response.status,
            headers=response.first_headers_without_set_cookie(),
        )


def serve(runtime: Runtime, host: str, port: int) -> None:
    import uvicorn

    env = runtime.settings.env
    server = KuberServer(runtime, lease_ttl=env.lease_ttl, claim_ttl=env.claim_ttl)
    uvicorn.run(server.app, host=host, port=port, log_config=None, access_log=False)
