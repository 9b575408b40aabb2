"""The alert storm: Alertmanager webhook deliveries against `kuber serve` on SQLite and on
PostgreSQL, beside a bare endpoint on the same server stack, in the same run.

Measures the ingest rate (as a ratio to the bare endpoint's), the acknowledgement p99, signed
slash commands' acknowledgement p99 while the storm runs, the server's peak memory, and, once
each 1x storm has settled, messages per group and alerts never shown in the Slack sandbox. The
scaling curve repeats the storm at 4x and 16x (`bench/scaling.png`). It changes nothing of
Kuber's: the server runs as deployed, with a kuber.yaml routing each group to a sandbox channel.
Run: `python bench/bench_alert_storm.py [--sizes 1,4,16] [--no-postgres]`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import secrets
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import scaling_chart
from bench.alerting import (
    STARTS,
    WEBHOOK,
    alert,
    kuber_env,
    message_text,
    payload,
    shard,
    slack_sandbox,
    top_level_posts,
    write_config,
)
from bench.processes import (
    PeakMemory,
    Served,
    bare_endpoint,
    kuber_serve,
    percentile,
    postgres_database,
    postgres_reachable,
    run_load,
    wait_until,
)
from bench.results import Result, background_load, note_run, record, result
from sandbox.slack import SlackSandbox
from sandbox.slack_events import form_body, slash_command_fields

#: The storm at 1x: groups of alerts, each group flushed as its alerts start firing.
GROUPS_1X = 50
ALERTS_PER_GROUP = 10
#: Alerts in each successive flush of a group (Alertmanager sends the whole group each time).
FLUSHES = (2, 4, 6, 8, 10)
#: Extra deliveries, as a share of the storm: half re-sent bytes, half repeats in other bytes.
DUPLICATE_SHARE = 0.2
#: Concurrent webhook senders (Alertmanager flushes every group on its own).
CLIENTS = 8
#: The 1x storm is short: it runs this many times (a fresh server each time), pooled. The
#: bare endpoint runs every size this many times too.
REPEATS_1X = 3
BARE_REPEATS = 3
#: Groups are spread over this many Slack channels (Slack paces about a post a second each).
CHANNELS = [f"C0STORM{n:02d}" for n in range(25)]
#: Slash commands go to channels of their own, so their replies do not queue behind alerts.
SLASH_CHANNELS = [f"C0SLASH{n:02d}" for n in range(10)]
SLASH_INTERVAL = 0.1
SLASH_MAX = 900
SETTLE_TIMEOUT = 180.0
WEBHOOK_TOKEN = secrets.token_hex(16)
GROUP_NAME = re.compile(r"\bStorm\d{5}\b")

# Targets (issue 16).
RATIO_TARGET = 0.5
WEBHOOK_P99_TARGET_MS = 50.0
SLASH_P99_TARGET_MS = 100.0
RSS_TARGET_MB = 250.0


@dataclass(frozen=True)
class Group:
    name: str
    channel: str
    pods: tuple[str, ...]


@dataclass
class Storm:
    size: int
    groups: list[Group]
    bodies: list[str]
    duplicates: int
    warmup: list[str] = field(default_factory=list)

    @property
    def alerts(self) -> int:
        return sum(len(g.pods) for g in self.groups)


def build_storm(size: int, seed: int = 16) -> Storm:
    """`size` times the 1x storm: every group's flushes, round by round in a shuffled group
    order, then duplicates of earlier deliveries inserted at later places."""
    rng = random.Random(seed * 1000 + size)
    groups: list[Group] = []
    flushes: list[list[str]] = []
    for index in range(GROUPS_1X * size):
        name = f"Storm{index:05d}"
        label = shard(index % len(CHANNELS))
        pods = tuple(f"storm-{index:05d}-{a:02d}" for a in range(ALERTS_PER_GROUP))
        starts = [STARTS + timedelta(seconds=7 * a) for a in range(ALERTS_PER_GROUP)]
        alerts = [alert(name, label, pod, at) for pod, at in zip(pods, starts, strict=True)]
        groups.append(Group(name, CHANNELS[index % len(CHANNELS)], pods))
        flushes.append([json.dumps(payload(name, alerts[:count])) for count in FLUSHES])
    bodies: list[str] = []
    for round_ in range(len(FLUSHES)):
        order = list(range(len(groups)))
        rng.shuffle(order)
        bodies.extend(flushes[g][round_] for g in order)
    duplicates = round(len(bodies) * DUPLICATE_SHARE)
    for n in range(duplicates):
        original = rng.randrange(len(bodies))
        copy = bodies[original]
        if n % 2:
            # A repeat: the same alerts again, in other bytes (so not refused by its digest).
            copy = json.dumps(json.loads(copy), indent=1, sort_keys=True)
        bodies.insert(rng.randrange(original + 1, len(bodies) + 1), copy)
    warm = [alert("StormWarmUp", "s00", f"warm-{a}", STARTS) for a in range(CLIENTS)]
    warmup = [json.dumps(payload("StormWarmUp", warm[: a + 1])) for a in range(CLIENTS)]
    return Storm(size, groups, bodies, duplicates, warmup)


def load_job(url: str, storm: Storm, slash: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "url": url + WEBHOOK,
        "headers": {"Authorization": f"Bearer {WEBHOOK_TOKEN}"},
        "bodies": storm.bodies,
        "warmup": storm.warmup,
        "clients": CLIENTS,
        "slash": slash,
    }


def slash_job(slack: SlackSandbox, url: str) -> dict[str, Any]:
    """Signed `/kuber help` commands, each with its own response_url (Slack allows 5 uses)."""
    forms = []
    for n in range(SLASH_MAX):
        channel = SLASH_CHANNELS[n % len(SLASH_CHANNELS)]
        fields = slash_command_fields(
            command="/kuber",
            text="help",
            user_id="U0ALICE",
            user_name="alice",
            channel_id=channel,
            channel_name=channel.lower(),
            response_url=slack.new_response_url(channel, "U0ALICE"),
            trigger_id=f"{n}.{int(time.time())}.{secrets.token_hex(8)}",
        )
        forms.append(form_body(fields).decode())
    return {
        "url": url + "/slack/events",
        "secret": slack.signing_secret,
        "forms": forms,
        "interval": SLASH_INTERVAL,
    }


def shown_groups(slack: SlackSandbox, storm: Storm) -> dict[str, list[str]]:
    """Each group's top-level messages (their current text), found by the group's name."""
    found: dict[str, list[str]] = {g.name: [] for g in storm.groups}
    for channel in sorted({g.channel for g in storm.groups}):
        # Notes in a group's thread are not messages of their own.
        for message in top_level_posts(slack, channel):
            text = message_text(message)
            names = set(GROUP_NAME.findall(text))
            for name in names & found.keys():
                found[name].append(text)
    return found


@dataclass
class Settled:
    seconds: float
    complete: bool
    max_messages_per_group: int
    groups_without_message: int
    alerts_lost: int
    duplicate_groups: int


def settle_and_count(slack: SlackSandbox, kuber: Served, storm: Storm) -> Settled:
    """Wait until every group's message shows all its alerts and the outbox is empty (or the
    time is up), then count messages per group and alerts no message shows."""
    started = time.monotonic()

    def complete() -> bool:
        kuber.alive_or_raise()
        shown = shown_groups(slack, storm)
        for group in storm.groups:
            texts = shown[group.name]
            if not texts or not all(any(pod in t for t in texts) for pod in group.pods):
                return False
        ready = kuber.readiness()
        return ready is not None and ready.get("outbox_pending") == 0

    try:
        wait_until(complete, SETTLE_TIMEOUT, "every group shown", interval=0.5)
        finished = True
    except TimeoutError:
        finished = False
    seconds = time.monotonic() - started
    shown = shown_groups(slack, storm)
    lost = sum(
        1 for g in storm.groups for pod in g.pods if not any(pod in t for t in shown[g.name])
    )
    counts = [len(shown[g.name]) for g in storm.groups]
    return Settled(
        seconds=seconds,
        complete=finished,
        max_messages_per_group=max(counts),
        groups_without_message=sum(1 for c in counts if c == 0),
        alerts_lost=lost,
        duplicate_groups=sum(1 for c in counts if c > 1),
    )


@dataclass
class Run:
    """One storm against one server, or several pooled (`pooled`)."""

    target: str
    size: int
    requests: int
    elapsed_s: float
    latencies_ms: list[float]
    statuses: Counter[str]
    slash_latencies_ms: list[float] = field(default_factory=list)
    slash_statuses: Counter[str] = field(default_factory=Counter)
    peak_rss_mb: float = 0.0
    settled: list[Settled] = field(default_factory=list)
    repeats: int = 1

    @classmethod
    def from_load(cls, target: str, size: int, outcome: dict[str, Any]) -> Run:
        return cls(
            target=target,
            size=size,
            requests=int(outcome["requests"]),
            elapsed_s=float(outcome["elapsed_s"]),
            latencies_ms=list(outcome["latencies_ms"]),
            statuses=Counter({str(k): int(v) for k, v in outcome["statuses"].items()}),
            slash_latencies_ms=list(outcome["slash_latencies_ms"]),
            slash_statuses=Counter({str(k): int(v) for k, v in outcome["slash_statuses"].items()}),
        )

    @classmethod
    def pooled(cls, runs: Sequence[Run]) -> Run:
        """Several runs of one storm as one: deliveries over summed wall time, every sample."""
        return cls(
            target=runs[0].target,
            size=runs[0].size,
            requests=sum(r.requests for r in runs),
            elapsed_s=sum(r.elapsed_s for r in runs),
            latencies_ms=[ms for r in runs for ms in r.latencies_ms],
            statuses=sum((r.statuses for r in runs), Counter()),
            slash_latencies_ms=[ms for r in runs for ms in r.slash_latencies_ms],
            slash_statuses=sum((r.slash_statuses for r in runs), Counter()),
            peak_rss_mb=max(r.peak_rss_mb for r in runs),
            settled=[s for r in runs for s in r.settled],
            repeats=sum(r.repeats for r in runs),
        )

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed_s

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies_ms, 0.99)

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 0.50)

    @property
    def not_ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != "200")

    def describe(self) -> str:
        runs = f" ({self.repeats} runs pooled)" if self.repeats > 1 else ""
        text = (
            f"{self.target:>8} {self.size:>2}x: {self.requests:5d} deliveries in "
            f"{self.elapsed_s:6.2f} s = {self.rate:7.1f}/s   ack p50 {self.p50_ms:6.1f} ms"
            f"  p99 {self.p99_ms:6.1f} ms   statuses {dict(self.statuses)}{runs}"
        )
        if self.slash_latencies_ms:
            text += (
                f"\n{'':>13}slash commands: {len(self.slash_latencies_ms)}, ack p99 "
                f"{percentile(self.slash_latencies_ms, 0.99):.1f} ms, statuses "
                f"{dict(self.slash_statuses)}"
            )
        if self.peak_rss_mb:
            text += f"\n{'':>13}kuber serve peak RSS {self.peak_rss_mb:.0f} MB"
        for s in self.settled:
            text += (
                f"\n{'':>13}settled in {s.seconds:.1f} s (complete: {s.complete}): "
                f"max {s.max_messages_per_group} message(s) per group, "
                f"{s.groups_without_message} group(s) without one, {s.alerts_lost} alert(s) lost"
            )
        return text


def storm_kuber(backend: str, storm: Storm, workdir: Path, *, settle: bool) -> Run:
    """A fresh Slack sandbox, database and `kuber serve`; the storm; optionally the settling."""
    logs = workdir / "logs"
    config = workdir / "kuber.yaml"
    if not config.exists():
        write_config(config, CHANNELS)
    with slack_sandbox(CHANNELS + SLASH_CHANNELS) as slack, database(backend, workdir) as url:
        env = kuber_env(config, url, slack, WEBHOOK_TOKEN)
        with kuber_serve(f"kuber-{backend}-{storm.size}x", env, logs) as kuber:
            with PeakMemory(kuber.pid) as memory:
                job = load_job(kuber.url, storm, slash_job(slack, kuber.url))
                run = Run.from_load(backend, storm.size, run_load(job, workdir))
                if settle:
                    run.settled.append(settle_and_count(slack, kuber, storm))
            run.peak_rss_mb = memory.peak_mb
            kuber.alive_or_raise()
    print(run.describe(), flush=True)
    return run


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "postgres":
        with postgres_database() as url:
            yield url
    else:
        yield f"sqlite:///{workdir / f'kuber-{secrets.token_hex(4)}.db'}"


def report(bare: dict[int, Run], kuber: dict[str, dict[int, Run]]) -> list[Result]:
    out: list[Result] = []
    first = min(bare)
    for backend, runs in kuber.items():
        for size, run in sorted(runs.items()):
            base = bare[size]
            suffix = f"{size}x_{backend}"
            out.append(
                result(
                    f"alert_ingest_rate_{suffix}",
                    round(run.rate, 1),
                    "deliveries/s",
                    target=f">= {round(base.rate * RATIO_TARGET, 1)}",
                    baseline=round(base.rate, 1),
                    note=(
                        f"{run.rate / base.rate:.2f} x bare; {len(run.latencies_ms)} deliveries, "
                        f"{run.not_ok} not answered 200"
                    ),
                )
            )
            out.append(
                result(
                    f"webhook_ack_p99_ms_{suffix}",
                    round(run.p99_ms, 1),
                    "ms",
                    target=f"< {WEBHOOK_P99_TARGET_MS:g}",
                    baseline=round(base.p99_ms, 1),
                )
            )
        one = runs[first]
        out.append(
            result(
                f"alert_ingest_ratio_{backend}",
                round(one.rate / bare[first].rate, 3),
                "x bare",
                target=f">= {RATIO_TARGET}",
                baseline=round(bare[first].rate, 1),
                note=(
                    f"Kuber {one.rate:.0f} deliveries/s at {first}x; baseline: the bare "
                    "endpoint's deliveries/s"
                ),
            )
        )
        out.append(
            result(
                f"webhook_ack_p99_ms_{backend}",
                round(one.p99_ms, 1),
                "ms",
                target=f"< {WEBHOOK_P99_TARGET_MS:g}",
                baseline=round(bare[first].p99_ms, 1),
            )
        )
    all_runs = [run for runs in kuber.values() for run in runs.values()]
    if not all_runs:
        return out
    worst = max(runs[first].p99_ms for runs in kuber.values())
    out.append(
        result(
            "webhook_ack_p99_ms",
            round(worst, 1),
            "ms",
            target=f"< {WEBHOOK_P99_TARGET_MS:g}",
            baseline=round(bare[first].p99_ms, 1),
            note=f"the worse of {' and '.join(kuber)} at {first}x",
        )
    )
    slash = [ms for run in all_runs for ms in run.slash_latencies_ms]
    slash_failed = sum(n for run in all_runs for s, n in run.slash_statuses.items() if s != "200")
    out.append(
        result(
            "slash_ack_p99_ms_during_storm",
            round(percentile(slash, 0.99), 1),
            "ms",
            target=f"< {SLASH_P99_TARGET_MS:g}",
            note=f"{len(slash)} commands over every storm, {slash_failed} not answered 200",
        )
    )
    settled = [s for run in all_runs for s in run.settled]
    sent = len(settled) * GROUPS_1X * first * ALERTS_PER_GROUP
    unfinished = sum(1 for s in settled if not s.complete)
    out.append(
        result(
            "alerts_lost",
            sum(s.alerts_lost for s in settled),
            "alerts",
            target="== 0",
            note=(
                f"of {sent} alerts sent in {len(settled)} storms at {first}x "
                f"({unfinished} not settled within {SETTLE_TIMEOUT:.0f} s)"
            ),
        )
    )
    out.append(
        result(
            "messages_per_group",
            max(s.max_messages_per_group for s in settled),
            "messages",
            target="== 1",
            note="the most top-level messages any group got",
        )
    )
    out.append(
        result(
            "serve_peak_rss_mb",
            round(max(run.peak_rss_mb for run in all_runs), 1),
            "MB",
            target=f"< {RSS_TARGET_MB:g}",
            note="the largest over every storm's kuber serve process",
        )
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1,4,16", help="storm sizes; the first is the storm")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",")})
    load = background_load()
    started = time.monotonic()
    storms = {size: build_storm(size) for size in sizes}
    for size, storm in storms.items():
        print(
            f"storm {size}x: {len(storm.groups)} groups x {ALERTS_PER_GROUP} alerts, "
            f"{len(storm.bodies)} deliveries ({storm.duplicates} duplicates), "
            f"{CLIENTS} concurrent senders"
        )
    backends = ["sqlite"]
    skipped: dict[str, str] = {}
    unreachable = "turned off (--no-postgres)" if args.no_postgres else postgres_reachable()
    if unreachable:
        skipped["postgres"] = unreachable
        print(f"postgres: NOT MEASURED: {unreachable}")
    else:
        backends.append("postgres")

    bare: dict[int, Run] = {}
    kuber: dict[str, dict[int, Run]] = {b: {} for b in backends}
    with tempfile.TemporaryDirectory(prefix="kuber-bench-") as temporary:
        workdir = Path(temporary)
        (workdir / "logs").mkdir()
        try:
            with bare_endpoint(workdir / "logs") as endpoint:
                for size, storm in storms.items():
                    job = load_job(endpoint.url, storm)
                    bare[size] = Run.pooled(
                        [
                            Run.from_load("bare", size, run_load(job, workdir))
                            for _ in range(BARE_REPEATS)
                        ]
                    )
                    print(bare[size].describe(), flush=True)
            for backend in backends:
                for size, storm in storms.items():
                    repeats = REPEATS_1X if size == sizes[0] else 1
                    runs = [
                        storm_kuber(backend, storm, workdir, settle=size == sizes[0])
                        for _ in range(repeats)
                    ]
                    kuber[backend][size] = Run.pooled(runs)
                    if repeats > 1:
                        print(kuber[backend][size].describe(), flush=True)
        except Exception:
            for log in sorted((workdir / "logs").glob("*.log")):
                print(f"--- {log.name} (last lines)\n{log.read_text(errors='replace')[-2000:]}")
            raise
    results = report(bare, kuber)
    note_run(
        "bench_alert_storm.py",
        {
            "seconds": round(time.monotonic() - started, 1),
            "background_load": load,
            "groups_1x": GROUPS_1X,
            "alerts_per_group": ALERTS_PER_GROUP,
            "flushes": list(FLUSHES),
            "duplicate_share": DUPLICATE_SHARE,
            "clients": CLIENTS,
            "channels": len(CHANNELS),
            "repeats_1x": REPEATS_1X,
            "bare_repeats": BARE_REPEATS,
            "deliveries": {f"{s}x": len(storm.bodies) for s, storm in storms.items()},
            "not_measured": skipped,
        },
    )
    record(*results)
    if scaling_chart.draw():
        print("wrote bench/scaling.png")
    print(f"alert storm bench: {time.monotonic() - started:.0f} s")
    below = [r.name for r in results if not r.meets]
    if below:
        print(f"BELOW TARGET: {', '.join(below)}")
    if skipped:
        print(f"NOT MEASURED: {', '.join(skipped)}")
    return 1 if below or skipped else 0


if __name__ == "__main__":
    sys.exit(main())
