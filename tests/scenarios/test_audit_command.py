"""The `audit` chat command: after a change, "who scaled payment yesterday?" answers who asked,
what for, when and how it ended, in English or Korean, for admins and the owning team only."""

from __future__ import annotations

from sqlmodel import select

from bot.audit_chain import verify
from bot.store.tables import PendingAction
from sandbox.kubernetes import KubernetesSandbox
from tests.scenarios.conftest import Chat, all_text, deployment


def test_who_scaled_payment_names_the_person_the_change_and_its_outcome(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat.say("scale payment to 3")
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 3

    replies = chat.say("who scaled payment yesterday?", user="bob")

    assert len(replies) == 1
    text = all_text(replies)
    assert text.startswith("Changes to payment, newest first:")
    assert (
        "alice asked to scale sandbox/default/payment (“scale payment to 3”): "
        "done, approved by alice"
    ) in text
    assert " KST — " in text  # the team's own timezone (its stand-up's)
    assert replies[0]["buttons"] == []
    assert not replies[0]["error"]


def test_the_answer_is_korean_when_asked_in_korean_and_shows_every_outcome(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat.say("restart payment")
    undecided = Chat(chat.runtime, chat.env, auto_approve=False)
    plan = undecided.say("scale payment to 4", user="bob")[-1]
    cancel = next(b for b in plan["buttons"] if b["action"] == "cancel")
    undecided.click("cancel", cancel["value"], user="bob")
    undecided.say("scale payment to 5", user="bob")

    text = all_text(chat.say("payment 변경 이력", user="carol"))

    title, *changes = text.splitlines()[:4]
    assert title == "payment 변경 이력 (최신순):"
    assert [line.split(" — ", 1)[1] for line in changes] == [
        "bob님이 sandbox/default/payment 스케일 요청 (“scale payment to 5”): 승인 대기 중",
        "bob님이 sandbox/default/payment 스케일 요청 (“scale payment to 4”): bob님이 취소",
        "alice님이 sandbox/default/payment 재시작 요청 (“restart payment”): 완료 (alice 승인)",
    ]
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 2


def test_without_an_app_an_admin_sees_every_change(chat: Chat) -> None:
    chat.say("scale cart to 3")
    chat.say("restart payment")
    text = all_text(chat.say("audit log"))
    assert text.startswith("Recent changes, newest first:")
    assert text.index("sandbox/default/payment") < text.index("sandbox/default/cart")


def test_only_admins_and_the_owning_team_may_read_it(chat: Chat) -> None:
    chat.say("scale payment to 3")

    refused = chat.say("who changed payment today?", user="mallory")
    assert refused[-1]["error"]
    assert refused[-1]["text"] == (
        "Only admins and members of payments, the team that owns payment, may read who changed it."
    )
    assert "scale payment to 3" not in all_text(refused)
    everything = chat.say("audit", user="mallory")
    assert everything[-1]["text"] == "Only admins and members of a team may read the audit log."

    viewer = all_text(chat.say("audit payment", user="carol"))  # a viewer, but of the team
    assert "alice asked to scale" in viewer


def test_asking_changes_nothing_and_is_itself_on_the_chain(chat: Chat) -> None:
    store = chat.runtime.store
    chat.say("who changed payment today?")
    chat.say("audit payment", user="mallory")
    with store.session() as session:
        assert session.exec(select(PendingAction)).all() == []
    check = verify(store)
    assert check.intact, check.summary()
    assert check.rows == 2


def test_nobody_changed_it_yet(chat: Chat) -> None:
    replies = chat.say("who changed frontend today?")
    assert replies[-1]["text"] == "Nobody changed frontend in the last 30 days."
