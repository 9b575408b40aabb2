"""Parse latency over the sample corpus: p50 and p99 per message, against a baseline.

The baseline is the cost of only normalising and tokenising the same texts in the same run,
so the ratio stays comparable across machines. Records `parse_p99_ms`, `parse_p50_ms` and
`parse_per_s` in bench/results.json; exits 1 when p99 reaches 1 ms.
Run: `python bench/bench_parse.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import background_load, note_run, record, result
from bot.nlu import AppCatalog, parse
from bot.nlu.normalize import prepare

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/commands.sample.jsonl"
DEFAULT_APPS = [
    "payment",
    "marvel-collection",
    "cart",
    "user-api",
    "order-service",
    "frontend",
    "auth",
]
LIMIT_US = 1000.0


def load_cases() -> list[tuple[str, list[str]]]:
    if not CORPUS.exists():
        return [
            ("scale payment to 3", DEFAULT_APPS),
            ("쿠버야 payment 앱을 3개 실행해줘!", DEFAULT_APPS),
        ]
    cases = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            case = json.loads(line)
            cases.append((case["text"], case.get("apps", DEFAULT_APPS)))
    return cases


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(cases: list[tuple[str, list[str]]], rounds: int, *, full: bool) -> list[float]:
    timings: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for text, apps in cases:
            start = clock()
            if full:
                # As `kuber parse --batch` does: a catalog per line (cached), then parse.
                parse(text, AppCatalog.from_names(apps), None)
            else:
                prepare(text)
            timings.append((clock() - start) / 1000.0)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    load = background_load()
    cases = load_cases()
    measure(cases, 5, full=True)  # warm the regex engine and the app caches
    baseline = measure(cases, args.rounds, full=False)
    started = time.perf_counter()
    timings = measure(cases, args.rounds, full=True)
    wall = time.perf_counter() - started
    p50, p99 = percentile(timings, 0.50), percentile(timings, 0.99)
    base_p99 = percentile(baseline, 0.99)
    print(f"messages: {len(cases)} x {args.rounds} rounds = {len(timings)} parses")
    print(
        f"parse    p50 {p50:8.1f} us   p99 {p99:8.1f} us   mean {statistics.fmean(timings):8.1f} us"
    )
    print(
        f"baseline p50 {percentile(baseline, 0.5):8.1f} us   p99 {base_p99:8.1f} us"
        "  (normalise + tokenise)"
    )
    print(f"p99 ratio parse/baseline: {p99 / base_p99:.1f}x")
    limit_ms = LIMIT_US / 1000
    note_run("bench_parse.py", {"background_load": load, "rounds": args.rounds})
    record(
        result(
            "parse_p99_ms",
            round(p99 / 1000, 3),
            "ms",
            target=f"< {limit_ms:g}",
            baseline=round(base_p99 / 1000, 3),
            note=f"{len(cases)} corpus lines x {args.rounds} rounds",
        ),
        result(
            "parse_p50_ms",
            round(p50 / 1000, 3),
            "ms",
            target=f"< {limit_ms:g}",
            baseline=round(percentile(baseline, 0.5) / 1000, 3),
        ),
        result(
            "parse_per_s",
            round(len(timings) / wall),
            "parses/s",
            # One thread, one parse at a time: a p99 under 1 ms means at least this many.
            target=f">= {1000 / limit_ms:g}",
        ),
    )
    if p99 >= LIMIT_US:
        print(f"BELOW TARGET: p99 {p99:.1f} us >= {LIMIT_US:.0f} us")
        return 1
    print(f"OK: p99 under {LIMIT_US:.0f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
