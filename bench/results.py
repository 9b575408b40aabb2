"""One results file for every benchmark: `bench/results.json`, with the machine it ran on.

Each bench script records its figures here (a figure of the same name is replaced, the others
kept), so `make bench` leaves one file describing one run. Run as a script it prints the table
and writes the README's Performance section from that file; it measures nothing itself.
Run: `python bench/results.py [--fresh]` (`--fresh` starts an empty file, as `make bench` does).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results.json"
README_SECTION = BENCH / "README_performance.md"
CHART = "bench/scaling.png"
#: Above this share of the cores taken by other work, a bench warns that its figures suffer.
BUSY_SHARE = 0.25

#: Every figure the README's table promises, in its order, and the bench file that makes it.
EXPECTED: dict[str, str] = {
    "parse_p99_ms": "bench_parse.py",
    "alert_ingest_ratio_sqlite": "bench_alert_storm.py",
    "alert_ingest_ratio_postgres": "bench_alert_storm.py",
    "webhook_ack_p99_ms": "bench_alert_storm.py",
    "slash_ack_p99_ms_during_storm": "bench_alert_storm.py",
    "alerts_lost": "bench_alert_storm.py",
    "messages_per_group": "bench_alert_storm.py",
    # The stand-up digest on a 2,000-issue board (target under 1 s); reported as not measured
    # when its script is missing.
    "digest_2000_issues_s": "bench_digest.py",
    "serve_peak_rss_mb": "bench_alert_storm.py",
    "outbox_msgs_per_s_two_replicas": "bench_outbox_replicas.py",
    "duplicate_posts": "bench_outbox_replicas.py",
}


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    #: How the target reads, e.g. "< 1", ">= 0.5", "== 0".
    target: str
    meets: bool
    baseline: float | None = None
    note: str = ""


def machine() -> dict[str, Any]:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count() or 0,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()}",
    }


def _cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores together, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def background_load(seconds: float = 1.0) -> float:
    """The share of every core busy with other work before a bench starts (none of its own
    processes run yet), over `seconds`; a busy machine is said plainly, since it lowers every
    figure. 0.0 where /proc/stat is not there."""
    try:
        busy_before, total_before = _cpu_times()
        time.sleep(seconds)
        busy_after, total_after = _cpu_times()
    except (OSError, ValueError, IndexError):
        return 0.0
    share = (busy_after - busy_before) / max(1, total_after - total_before)
    if share > BUSY_SHARE:
        print(
            f"WARNING: the machine is busy before this bench: {share:.0%} of its "
            f"{os.cpu_count()} cores are taken by other work; the figures will be lower than "
            "on a quiet machine",
            flush=True,
        )
    return round(share, 3)


def load_results() -> dict[str, Any]:
    """What bench/results.json holds (an empty run when there is none yet)."""
    return _load()


def _load() -> dict[str, Any]:
    try:
        data = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        data = {"results": []}
    return data


def _write(data: dict[str, Any]) -> None:
    data["machine"] = machine()
    data["written_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    ordered = {"machine": data.pop("machine"), **data}
    temporary = RESULTS.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(ordered, indent=2, ensure_ascii=False) + "\n", "utf-8")
    temporary.replace(RESULTS)


def fresh() -> None:
    """Start an empty results file (the start of a `make bench` run)."""
    _write({"results": [], "started": time.time()})


def record(*results: Result) -> None:
    """Merge `results` into the file and print each; a missed target says so plainly."""
    data = _load()
    names = {r.name for r in results}
    kept = [r for r in data["results"] if r.get("name") not in names]
    for result in results:
        entry = {k: v for k, v in asdict(result).items() if not (k == "note" and not v)}
        if result.baseline is None:
            entry.pop("baseline")
        kept.append(entry)
        print(line(entry), flush=True)
    data["results"] = kept
    _write(data)


def note_run(script: str, details: dict[str, Any]) -> None:
    """Keep how a bench script ran (sizes, durations, what it could not measure) beside its
    figures, for the README's description of the run."""
    data = _load()
    runs = data.get("runs") if isinstance(data.get("runs"), dict) else {}
    runs[script] = details
    data["runs"] = runs
    _write(data)


def result(
    name: str,
    value: float,
    unit: str,
    *,
    target: str,
    baseline: float | None = None,
    note: str = "",
) -> Result:
    """A `Result` whose `meets` is worked out from `target` ("< 50", ">= 0.5", "== 0")."""
    return Result(name, value, unit, target, meets(value, target), baseline, note)


def meets(value: float, target: str) -> bool:
    operator, _, bound_text = target.partition(" ")
    bound = float(bound_text)
    checks = {
        "<": value < bound,
        "<=": value <= bound,
        ">": value > bound,
        ">=": value >= bound,
        "==": value == bound,
    }
    if operator not in checks:
        raise ValueError(f"unknown target {target!r}")
    return checks[operator]


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e9:
        return str(int(value))
    return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}"


def line(entry: dict[str, Any]) -> str:
    verdict = "ok" if entry["meets"] else "BELOW TARGET"
    base = f" (baseline {_number(entry['baseline'])})" if entry.get("baseline") is not None else ""
    return (
        f"RESULT {entry['name']} = {_number(entry['value'])} {entry['unit']}{base}"
        f"  target {entry['target']}: {verdict}"
    )


def missing() -> dict[str, str]:
    """Expected figures not in the file, with why: a bench file absent, or a run that failed."""
    have = {r.get("name") for r in _load()["results"]}
    why = {}
    for name, script in EXPECTED.items():
        if name in have:
            continue
        if not (BENCH / script).exists():
            why[name] = f"not measured: bench/{script} does not exist yet"
        else:
            why[name] = f"not measured: bench/{script} did not record it (see its output)"
    return why


def readme_section(data: dict[str, Any]) -> str:
    """The README's Performance section, every figure taken from `data` (results.json)."""
    m = data.get("machine", {})
    results = data.get("results", [])
    by_name = {r["name"]: r for r in results}
    runs = data.get("runs", {})
    storm = runs.get("bench_alert_storm.py", {})
    outbox = runs.get("bench_outbox_replicas.py", {})
    header = (
        "| figure | value | target | baseline (same run) | met | about |\n"
        "|---|---|---|---|---|---|\n"
    )
    main_rows = [
        _row(by_name[name])
        if name in by_name
        else f"| `{name}` | not measured | | | | {missing().get(name, '')} |"
        for name in EXPECTED
    ]
    more_rows = [_row(r) for r in results if r["name"] not in EXPECTED]
    took = data.get("seconds")
    loads = {
        script: run["background_load"]
        for script, run in runs.items()
        if isinstance(run, dict) and isinstance(run.get("background_load"), int | float)
    }
    busy = [f"{share:.0%} before {script}" for script, share in loads.items() if share > BUSY_SHARE]
    parts = [
        "## Performance\n\n",
        f"Measured by `make bench` on {m.get('cores', '?')} cores ({m.get('cpu', '?')}), "
        f"{m.get('memory_gb', '?')} GB of memory, Python {m.get('python', '?')}, "
        f"{m.get('system', '?')}; written {data.get('written_at', '?')}"
        + (f", {took / 60:.1f} minutes in all" if took else "")
        + ". Kuber, the load generator, the Slack sandbox and PostgreSQL share those cores"
        + (
            f"; other work on the machine took some of them ({', '.join(busy)} started), "
            "which lowers that bench's figures"
            if busy
            else ""
        )
        + ".\n\n",
        header + "\n".join(main_rows) + "\n\n",
        "![Webhook ingest rate and acknowledgement p99 by storm size](" + CHART + ")\n\n",
    ]
    if storm:
        parts.append(_storm_text(storm))
    if outbox and "messages" in outbox:
        parts.append(
            f"- **outbox, two replicas**: two `kuber serve` processes on one fresh PostgreSQL "
            f"database; {outbox['messages']} alert groups (one message each) are sent to both "
            f"replicas' webhooks, over {outbox['channels']} channels of a Slack sandbox that "
            f"allows {outbox['slack_rate_per_channel']:g} post per second per channel (429 and "
            f"Retry-After beyond; it answered {outbox['rate_limited_429']} posts so). Only the "
            "leader sends. The rate is posts over the span from the first post to the last; "
            "the baseline is the most the limits allow (Slack's per channel, Kuber's own "
            "20 per second per workspace). A duplicate is a second post with one outbox key, "
            "or a second message for one group.\n"
        )
    parts.append(
        "- **parse**: `kuber parse` on every line of the sample corpus, 300 rounds, one at a "
        "time; baseline: only normalising and tokenising the same texts.\n\n"
    )
    if more_rows:
        parts.append("Every other figure of the run (the scaling curve among them):\n\n")
        parts.append(header + "\n".join(more_rows) + "\n\n")
    parts.append(
        "To rerun: `make bench`. It needs PostgreSQL at 127.0.0.1:5432 with trust "
        "authentication (or `KUBER_BENCH_POSTGRES_URL` naming an administrator's URL); each "
        "run creates its own databases and drops them. It writes `bench/results.json`, "
        "`bench/scaling.png` and this section (`bench/README_performance.md`). A figure below "
        "its target is printed as `BELOW TARGET` and makes `make bench` exit non-zero.\n"
    )
    return "".join(parts)


def _storm_text(storm: dict[str, Any]) -> str:
    deliveries = storm.get("deliveries", {})
    sizes = ", ".join(f"{size} ({n} deliveries)" for size, n in deliveries.items())
    flushes = storm.get("flushes", [])
    return (
        "How the figures are measured:\n\n"
        f"- **alert storm**: `kuber serve`, run as deployed (a subprocess with a kuber.yaml "
        f"routing groups to {storm.get('channels')} Slack sandbox channels), takes "
        f"Alertmanager webhook v4 deliveries from a load generator in a process of its own "
        f"({storm.get('clients')} concurrent senders, keep-alive connections). 1x is "
        f"{storm.get('groups_1x')} groups of {storm.get('alerts_per_group')} alerts; each group "
        f"is flushed {len(flushes)} times as its alerts start "
        f"({', '.join(str(f) for f in flushes)} alerts), and "
        f"{round(100 * storm.get('duplicate_share', 0))}% more deliveries are duplicates "
        "(identical bytes re-sent, and repeats of the same alerts in other bytes). Sizes: "
        f"{sizes}. The baseline is a bare Starlette app under uvicorn in its own process that "
        "only parses the JSON and answers 200, hit by the same generator with the same "
        "deliveries in the same run; the ratio is Kuber's deliveries per second over the bare "
        f"endpoint's. The 1x storm runs {storm.get('repeats_1x')} times per database (a fresh "
        f"server each time) and the bare endpoint {storm.get('bare_repeats')} times per size, "
        "pooled. After each 1x storm the bench waits until every group's message in the Slack "
        "sandbox shows all its alerts and the outbox is empty, then counts top-level messages "
        "per group and alerts no message shows.\n"
        "- **slash commands during the storm**: a signed `/kuber help` POSTed to "
        "`/slack/events` every 100 ms while each storm runs, timed to its acknowledgement.\n"
        "- **peak memory**: the resident memory of the `kuber serve` process, sampled from "
        "`/proc` every 50 ms together with its high-water mark, over every storm.\n"
    )


def _row(entry: dict[str, Any]) -> str:
    unit = f" {entry['unit']}" if entry.get("unit") else ""
    base = f"{_number(entry['baseline'])}" if entry.get("baseline") is not None else ""
    met = "yes" if entry["meets"] else "**no**"
    return (
        f"| `{entry['name']}` | {_number(entry['value'])}{unit} | {entry['target']} | "
        f"{base} | {met} | {entry.get('note', '')} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fresh", action="store_true", help="start an empty results file")
    args = parser.parse_args()
    if args.fresh:
        fresh()
        return 0
    data = _load()
    if isinstance(data.get("started"), int | float) and "seconds" not in data:
        # The whole `make bench` run, from `--fresh` to this summary (once: a later look at
        # the file must not stretch it).
        data["seconds"] = round(time.time() - data["started"], 1)
        _write(data)
        data = _load()
    print(f"== {RESULTS.relative_to(BENCH.parent)}")
    below = []
    for entry in data["results"]:
        print(line(entry))
        if not entry["meets"]:
            below.append(entry["name"])
    for name, why in missing().items():
        print(f"RESULT {name}: {why}")
    README_SECTION.write_text(readme_section(data), encoding="utf-8")
    print(f"wrote {README_SECTION.relative_to(BENCH.parent)}")
    if below:
        print(f"BELOW TARGET: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
