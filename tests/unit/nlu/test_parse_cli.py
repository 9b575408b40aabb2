"""`kuber parse` learns clusters as it learns apps: `--clusters`, and `clusters` in `--batch`
lines, keeping the object format `shared/corpus/score_parse.py` reads."""

from __future__ import annotations

import io
import json

import pytest

from bot.cli import main


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(argv) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_one_text_with_clusters(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["parse", "--apps", "payment,cart", "--clusters", "prod,sandbox"]
    [got] = _run([*argv, "scale payment to 3 in prod"], capsys)
    assert got == {
        "intent": "scale",
        "app": "payment",
        "replicas": 3,
        "cluster": "prod",
        "lang": "en",
    }
    [got] = _run([*argv, "payment 4개로 늘리고 cart 재시작해줘"], capsys)
    assert got["intent"] == "sequence"
    assert got["steps"] == [
        {"intent": "scale", "app": "payment", "replicas": 4},
        {"intent": "restart", "app": "cart"},
    ]


def test_batch_lines_bring_their_own_apps_and_clusters(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        {"text": "scale payment to 3 in prod", "apps": ["payment"]},
        {"text": "scale payment to 3 in prod", "apps": ["payment"], "clusters": ["prod"]},
        {"text": "restart cart in prod", "clusters": ["prod"], "namespaces": ["prod"]},
        {"text": "don't restart cart"},
    ]
    feed = "".join(json.dumps(line) + "\n" for line in lines) + "\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(feed))
    got = _run(["parse", "--json", "--batch", "--apps", "cart", "--clusters", ""], capsys)
    assert len(got) == 4
    assert (got[0].get("namespace"), got[0].get("cluster")) == ("prod", None)
    assert (got[1].get("namespace"), got[1].get("cluster")) == (None, "prod")
    assert got[2]["cluster_or_namespace"] == "prod"
    assert got[3] == {
        "intent": "unknown",
        "negated": {"intent": "restart", "app": "cart"},
        "lang": "en",
    }
