"""`bench/scaling.png`: the alert storm's ingest rate and acknowledgement p99 by storm size,
drawn from bench/results.json (the `alert_ingest_rate_{N}x_{db}` and `webhook_ack_p99_ms_{N}x_{db}`
figures and their bare-endpoint baselines), so the chart shows exactly what the table says.
Run: `python bench/scaling_chart.py` (the storm bench runs it after recording).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot

from bench.results import BENCH, load_results

CHART = BENCH / "scaling.png"
SERIES = re.compile(r"^(alert_ingest_rate|webhook_ack_p99_ms)_(\d+)x_(\w+)$")


def series(results: list[dict[str, Any]]) -> dict[str, dict[str, dict[int, float]]]:
    """{figure: {line: {size: value}}}, with the baselines as the line "bare endpoint"."""
    out: dict[str, dict[str, dict[int, float]]] = {}
    for entry in results:
        match = SERIES.match(entry["name"])
        if match is None:
            continue
        figure, size, backend = match.group(1), int(match.group(2)), match.group(3)
        lines = out.setdefault(figure, {})
        lines.setdefault(f"kuber serve ({backend})", {})[size] = float(entry["value"])
        if entry.get("baseline") is not None:
            lines.setdefault("bare endpoint", {})[size] = float(entry["baseline"])
    return out


def draw(path: Path = CHART) -> bool:
    """Draw the chart; False when results.json holds no scaling figures."""
    data = load_results()
    found = series(data["results"])
    if not found:
        return False
    storm = data.get("runs", {}).get("bench_alert_storm.py", {})
    deliveries = storm.get("deliveries", {})
    figure, (rates, p99s) = pyplot.subplots(1, 2, figsize=(10, 4.2), dpi=100)
    panels = (
        (rates, "alert_ingest_rate", "Webhook ingest rate", "deliveries / s"),
        (p99s, "webhook_ack_p99_ms", "Acknowledgement p99", "ms"),
    )
    sizes: set[int] = set()
    for axes, figure_name, title, unit in panels:
        lines = found.get(figure_name, {})
        # The bare endpoint first, as the reference.
        for label in sorted(lines, key=lambda name: name != "bare endpoint"):
            points = sorted(lines[label].items())
            sizes.update(size for size, _ in points)
            axes.plot([s for s, _ in points], [v for _, v in points], marker="o", label=label)
        axes.set_title(title, loc="left", fontsize="medium")
        axes.set_ylabel(unit)
    target = next(
        (e["target"] for e in data["results"] if e["name"].startswith("webhook_ack_p99_ms_")),
        None,
    )
    if target and target.startswith("<"):
        bound = float(target.split()[1])
        p99s.axhline(
            bound, color="#c0392b", linestyle="--", linewidth=1, label=f"target: under {bound:g} ms"
        )
    ordered = sorted(sizes)
    labels = [
        f"{s}x\n{deliveries[f'{s}x']} deliveries" if f"{s}x" in deliveries else f"{s}x"
        for s in ordered
    ]
    for axes, *_ in panels:
        axes.set_xscale("log", base=2)
        axes.set_xticks(ordered, labels)
        axes.minorticks_off()
        axes.set_ylim(bottom=0)
        axes.grid(True, alpha=0.3)
    handles, names = p99s.get_legend_handles_labels()
    figure.legend(handles, names, loc="lower center", ncol=len(names), frameon=False)
    if storm:
        figure.suptitle(
            f"Alert storm: {storm.get('clients')} concurrent senders; 1x = "
            f"{storm.get('groups_1x')} groups x {storm.get('alerts_per_group')} alerts",
            fontsize="small",
            x=0.01,
            ha="left",
        )
    figure.tight_layout(rect=(0, 0.08, 1, 1))
    figure.savefig(path)
    pyplot.close(figure)
    return True


def main() -> int:
    if not draw():
        print("no scaling figures in bench/results.json: run bench/bench_alert_storm.py first")
        return 1
    print(f"wrote {CHART.relative_to(BENCH.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
