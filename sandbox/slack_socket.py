"""Slack's Socket Mode as the sandbox serves it: connection tickets, the websocket link, the
envelopes Slack pushes down it and the acknowledgements an app sends back.

The protocol, as slack_sdk's SocketModeClient speaks it: the app calls `apps.connections.open`
with its app-level token and gets a one-time `wss://…/link/?ticket=…` URL; on connecting it is
greeted with `{"type": "hello", …}`; then each request arrives as
`{"envelope_id", "type", "payload", "accepts_response_payload"}` (events also carry
`retry_attempt` and `retry_reason`) and is acknowledged with `{"envelope_id"[, "payload"]}`.
An envelope not acknowledged within the ack timeout fails: Slack sends an Events API envelope
again (a new envelope, the same event) and shows the person an error for a command.
`{"type": "disconnect", "reason": …}` asks the app to open a new connection.

This module holds connections and envelopes only; what an acknowledgement does to the
workspace is the sandbox server's business, through the callbacks it passes in.
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sandbox.websocket import WebSocketConnection

HOST = "applink-sandbox"
#: Only Events API envelopes are sent again; commands and clicks fail in front of the person.
RETRIED_TYPES = {"events_api"}
#: Seconds between the server's pings on each link. Slack pings too; here it also wakes a
#: closing slack_sdk client out of its blocking read, so it lets go of the socket at once.
PING_INTERVAL = 0.25


@dataclass
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    #: The envelope id of the first attempt: retries are new envelopes of the same request.
    first: str
    attempt: int = 0
    note: dict[str, Any] = field(default_factory=dict)
    connection: str | None = None
    sent_at: float = 0.0
    #: pending, acked, timed_out (no answer in time), late (answered after that), undelivered
    outcome: str = "pending"
    acked_at: float | None = None
    response: dict[str, Any] | None = None

    def message(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "envelope_id": self.envelope_id,
            "payload": self.payload,
            "type": self.type,
            "accepts_response_payload": self.accepts_response_payload,
        }
        if self.type in RETRIED_TYPES:
            body["retry_attempt"] = self.attempt
            body["retry_reason"] = "timeout" if self.attempt else ""
        return body

    def record(self) -> dict[str, Any]:
        return {
            "envelope_id": self.envelope_id,
            "type": self.type,
            "first": self.first,
            "attempt": self.attempt,
            "connection": self.connection,
            "outcome": self.outcome,
            "sent_at": self.sent_at,
            "acked_at": self.acked_at,
            "response": copy.deepcopy(self.response),
            "payload": copy.deepcopy(self.payload),
            **copy.deepcopy(self.note),
        }


AckHook = Callable[[Envelope], None]


class SocketMode:
    """Open links, envelopes in flight and their acknowledgements, redelivery on timeout."""

    def __init__(
        self,
        app_id: str,
        *,
        ack_timeout: Callable[[], float],
        retry_delays: Sequence[float],
        on_ack: AckHook,
        on_timeout: AckHook,
    ) -> None:
        self.app_id = app_id
        self.ack_timeout = ack_timeout
        self.retry_delays = tuple(retry_delays)
        self.on_ack = on_ack
        self.on_timeout = on_timeout
        self.connections: list[WebSocketConnection] = []
        self.envelopes: dict[str, Envelope] = {}
        #: Acknowledgements naming no envelope the sandbox sent, and messages it cannot read.
        self.strays: list[Any] = []
        self.tickets_issued = 0
        self._tickets: set[str] = set()
        self._timers: set[threading.Timer] = set()
        self._turn = itertools.count()
        self._changed = threading.Condition(threading.RLock())
        self._stopped = False

    # -- links -------------------------------------------------------------------------------
    def new_ticket(self) -> str:
        ticket = secrets.token_urlsafe(18)
        with self._changed:
            self._tickets.add(ticket)
            self.tickets_issued += 1
        return ticket

    def take_ticket(self, ticket: str | None) -> bool:
        """A ticket opens one connection, once."""
        with self._changed:
            if not ticket or ticket not in self._tickets or self._stopped:
                return False
            self._tickets.discard(ticket)
            return True

    def serve(self, connection: WebSocketConnection) -> None:
        """Greet an upgraded link and read acknowledgements until it closes (request thread)."""
        # Greeted before it joins: no envelope can overtake the hello.
        count = len(self.open_connections()) + 1
        connection.send_text(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": count,
                    "debug_info": {
                        "host": HOST,
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                }
            )
        )
        with self._changed:
            self.connections.append(connection)
            self._changed.notify_all()
        done = threading.Event()
        pinger = threading.Thread(
            target=self._keep_pinging, args=(connection, done), name="slack-socket-ping"
        )
        pinger.daemon = True
        pinger.start()
        try:
            while (text := connection.recv()) is not None:
                self._received(text)
        finally:
            done.set()
            connection.close()
            with self._changed:
                self.connections.remove(connection)
                self._changed.notify_all()

    def _keep_pinging(self, connection: WebSocketConnection, done: threading.Event) -> None:
        while not done.wait(PING_INTERVAL):
            if not connection.ping(f"ping {time.time():.3f}".encode()):
                return

    def open_connections(self) -> list[WebSocketConnection]:
        with self._changed:
            return [c for c in self.connections if not c.closed]

    def disconnect(self, reason: str = "refresh_requested") -> int:
        """Ask every app on a link to move to a new one, as Slack does before maintenance."""
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": HOST}})
        return sum(1 for c in self.open_connections() if c.send_text(message))

    def close_all(self, code: int = 1001) -> None:
        for connection in self.open_connections():
            connection.close(code)

    # -- envelopes ---------------------------------------------------------------------------
    def deliver(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool,
        note: dict[str, Any] | None = None,
    ) -> str:
        """Push one request to the app; its envelope id. Fails if no app is connected."""
        if not self.open_connections():
            raise ConnectionError("no Socket Mode connection is open")
        envelope_id = str(uuid.uuid4())
        envelope = Envelope(
            envelope_id=envelope_id,
            type=kind,
            payload=payload,
            accepts_response_payload=accepts_response_payload,
            first=envelope_id,
            note=dict(note or {}),
        )
        with self._changed:
            self.envelopes[envelope_id] = envelope
        self._send(envelope, avoid=None)
        return envelope_id

    def _send(self, envelope: Envelope, avoid: str | None) -> None:
        text = json.dumps(envelope.message(), separators=(",", ":"))
        candidates = self.open_connections()
        # Slack spreads envelopes over an app's links; a retry goes to another one if it can.
        preferred = [c for c in candidates if c.id != avoid] or candidates
        start = next(self._turn)
        ordered = [preferred[(start + i) % len(preferred)] for i in range(len(preferred))]
        with self._changed:
            envelope.sent_at = time.time()
        for connection in ordered:
            if connection.send_text(text):
                with self._changed:
                    envelope.connection = connection.id
                    self._changed.notify_all()
                break
        else:
            with self._changed:
                envelope.outcome = "undelivered"
        self._later(self.ack_timeout(), lambda: self._expire(envelope.envelope_id))

    def _later(self, delay: float, action: Callable[[], None]) -> None:
        with self._changed:
            if self._stopped:
                return
            timer = threading.Timer(delay, lambda: self._fire(timer, action))
            timer.daemon = True
            self._timers.add(timer)
        timer.start()

    def _fire(self, timer: threading.Timer, action: Callable[[], None]) -> None:
        with self._changed:
            self._timers.discard(timer)
            if self._stopped:
                return
        action()

    def _expire(self, envelope_id: str) -> None:
        with self._changed:
            envelope = self.envelopes[envelope_id]
            if envelope.outcome not in ("pending", "undelivered"):
                return
            envelope.outcome = "timed_out" if envelope.outcome == "pending" else "undelivered"
            retry = envelope.type in RETRIED_TYPES and envelope.attempt < len(self.retry_delays)
            self._changed.notify_all()
        if retry:
            delay = self.retry_delays[envelope.attempt]
            self._later(delay, lambda: self._retry(envelope))
        else:
            self.on_timeout(envelope)

    def _retry(self, previous: Envelope) -> None:
        envelope = Envelope(
            envelope_id=str(uuid.uuid4()),
            type=previous.type,
            payload=previous.payload,
            accepts_response_payload=previous.accepts_response_payload,
            first=previous.first,
            attempt=previous.attempt + 1,
            note=previous.note,
        )
        with self._changed:
            self.envelopes[envelope.envelope_id] = envelope
        self._send(envelope, avoid=previous.connection)

    def _received(self, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
            with self._changed:
                self.strays.append(text)
            return
        with self._changed:
            envelope = self.envelopes.get(message["envelope_id"])
            if envelope is None:
                self.strays.append(message)
                return
            if envelope.acked_at is not None:
                return  # a second answer to one envelope changes nothing
            envelope.acked_at = time.time()
            payload = message.get("payload")
            envelope.response = payload if isinstance(payload, dict) else None
            in_time = envelope.outcome == "pending"
            envelope.outcome = "acked" if in_time else "late"
            self._changed.notify_all()
        if in_time:
            self.on_ack(envelope)

    # -- inspection --------------------------------------------------------------------------
    def attempts(self, envelope_id: str) -> list[Envelope]:
        """Every envelope sent for the request `envelope_id` was sent for, oldest first."""
        with self._changed:
            first = self.envelopes[envelope_id].first
            return [e for e in self.envelopes.values() if e.first == first]

    def acked(self, envelope_id: str) -> bool:
        """Whether the app acknowledged the request in time, on any attempt."""
        return any(e.outcome == "acked" for e in self.attempts(envelope_id))

    def wait(self, condition: Callable[[], bool], timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    def snapshot(self) -> dict[str, Any]:
        with self._changed:
            return {
                "connections": [
                    {"id": c.id, "pings": c.pings} for c in self.connections if not c.closed
                ],
                "tickets_issued": self.tickets_issued,
                "envelopes": [e.record() for e in self.envelopes.values()],
                "strays": copy.deepcopy(self.strays),
            }

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            timers = list(self._timers)
            self._timers.clear()
            self._tickets.clear()
        for timer in timers:
            timer.cancel()
        self.close_all(1001)
