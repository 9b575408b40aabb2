"""Talking to Kuber as people do: incomplete commands get one question with answers as
buttons, unknown ones get suggestions, and "it" means the app of the previous command."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.store.tables import CommandRecord
from sandbox.kubernetes import KubernetesSandbox
from tests.scenarios.conftest import Chat, deployment


def fill_buttons(replies: list[dict[str, Any]]) -> dict[str, str]:
    return {b["label"]: b["value"] for r in replies for b in r["buttons"] if b["action"] == "fill"}


def test_a_missing_number_is_asked_for_with_buttons(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    replies = chat.say("scale payment")
    assert replies[-1]["text"] == "How many replicas should payment run?"
    choices = fill_buttons(replies)
    assert list(choices) == ["1", "2", "3", "5"]
    replies = chat.click("fill", choices["3"])
    assert replies[0]["text"] == "Scale payment in sandbox/default from 2 to 3 replicas?"
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 3
    with chat.runtime.store.session() as session:
        texts = [r.text for r in session.exec(select(CommandRecord).order_by(CommandRecord.id))]
    assert texts[:2] == ["scale payment", "scale payment → 3"]


def test_a_missing_app_is_asked_for_in_korean(chat: Chat) -> None:
    replies = chat.say("재시작해줘")
    assert replies[-1]["text"].startswith("어느 앱인가요?")
    assert "payment" in fill_buttons(replies)


def test_a_typo_in_a_command_word_is_still_understood(chat: Chat) -> None:
    replies = chat.say("restrat payment")
    assert replies[0]["text"].startswith("Restart payment in sandbox/default?")


def test_a_bare_app_name_gets_the_likely_commands(chat: Chat) -> None:
    replies = chat.say("payment")
    assert replies[-1]["text"].startswith("Sorry, I didn't understand that. Did you mean:")
    assert "`status of payment`" in replies[-1]["text"]


def test_it_means_the_app_of_the_previous_command(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat.say("status of cart")
    replies = chat.say("now scale it to 4")
    assert replies[0]["text"] == "Scale cart in sandbox/default from 2 to 4 replicas?"
    assert deployment(clusters["sandbox"], "cart")["spec"]["replicas"] == 4


def test_korean_follow_up_uses_the_channel_context(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat.say("auth 상태 알려줘")
    replies = chat.say("그거 5개로 늘려줘")
    assert replies[0]["text"] == "sandbox/default의 auth을(를) 2개에서 5개로 바꿀까요?"
    assert deployment(clusters["sandbox"], "auth")["spec"]["replicas"] == 5


def test_context_is_per_channel_and_survives_a_restart(chat: Chat) -> None:
    chat.say("status of frontend")
    from bot.runtime import build_runtime

    restarted = build_runtime(chat.env)
    again = Chat(restarted, chat.env)
    replies = again.say("logs of it")
    assert "(frontend)" in replies[-1]["text"]
    restarted.close()
