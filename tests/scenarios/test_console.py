"""The console chat as a person uses it: help in both languages, unknown text, the audit log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from bot.store.tables import CommandRecord
from tests.scenarios.conftest import Chat, all_text

REPO = Path(__file__).resolve().parents[2]


def test_help_lists_the_groups_in_english(chat: Chat) -> None:
    replies = chat.say("help")
    text = all_text(replies)
    assert replies[0]["text"] == "Here is what you can ask me:"
    labels = [f["label"] for f in replies[0]["fields"]]
    assert "Workloads (Kubernetes)" in labels
    assert "General" in labels
    assert "run payment app ×3" in text
    assert "Your role: admin" in text


def test_help_answers_in_korean_when_asked_in_korean(chat: Chat) -> None:
    replies = chat.say("도움말")
    assert replies[0]["text"] == "이런 것들을 부탁하실 수 있어요:"
    assert replies[0]["lang"] == "ko"
    assert any(f["label"] == "워크로드 (쿠버네티스)" for f in replies[0]["fields"])


def test_a_viewer_is_not_offered_changes(chat: Chat) -> None:
    replies = chat.say("help", user="carol")
    text = all_text(replies)
    assert "Scale an app" not in text
    assert "status of payment" in text
    assert "viewer" in text


def test_unknown_text_gets_a_plain_answer_and_a_pointer_to_help(chat: Chat) -> None:
    replies = chat.say("order me a pizza")
    assert replies[0]["text"].startswith("Sorry, I didn't understand that.")
    assert "`help`" in replies[0]["text"]
    replies = chat.say("오늘 점심 뭐 먹지?")
    assert replies[0]["text"].startswith("죄송해요")


def test_every_attempt_is_in_the_audit_log(chat: Chat) -> None:
    chat.say("help")
    chat.say("what's the weather in Seoul?")
    chat.say("scale payment to 2", user="carol")  # a viewer: refused
    with chat.runtime.store.session() as session:
        records = session.exec(select(CommandRecord).order_by(CommandRecord.id)).all()
    assert [(r.intent, r.decision, r.actor_name) for r in records] == [
        ("help", "answered", "alice"),
        ("unknown", "unknown", "alice"),
        ("scale", "refused", "carol"),
    ]
    assert records[2].text == "scale payment to 2"


def test_kuber_console_once_prints_json_replies(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "KUBER_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
        "KUBER_LOG_LEVEL": "warning",
    }
    env.pop("KUBER_CONFIG", None)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--json", "--once", "help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    reply = json.loads(result.stdout.splitlines()[0])
    assert reply["text"] == "Here is what you can ask me:"
    assert {"text", "buttons", "attachments"} <= reply.keys()


def test_a_bad_configuration_stops_start_up_with_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "kuber.yaml"
    bad.write_text("apps:\n  - name: Bad_Name\n", encoding="utf-8")
    env = {**os.environ, "KUBER_CONFIG": str(bad)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", "--once", "help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "apps[0].name" in result.stderr
