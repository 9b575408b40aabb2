"""The sentences a new user types that are not plain commands, through the console as a
person types them: nothing is done that was not asked, and what was asked is done."""

from __future__ import annotations

from sandbox.kubernetes import KubernetesSandbox
from tests.scenarios.conftest import Chat, all_text, deployment


def replicas(server: KubernetesSandbox, app: str) -> int:
    return int(deployment(server, app)["spec"]["replicas"])


def restarted(server: KubernetesSandbox, app: str) -> bool:
    template = deployment(server, app)["spec"]["template"]["metadata"]
    return "kubectl.kubernetes.io/restartedAt" in (template.get("annotations") or {})


def test_a_negated_command_is_said_back_and_nothing_happens(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    assert chat.say("don't restart payment")[-1]["text"] == "OK, I won't restart payment."
    assert chat.say("payment 재시작하지 마")[-1]["text"] == (
        "알겠어요. payment 재시작은(는) 하지 않을게요."
    )
    # The positive signal that would have come first: a restart plan now does restart.
    assert chat.say("restart cart")[-1]["text"].startswith("✅ Done")
    assert restarted(sandbox, "cart")
    assert not restarted(sandbox, "payment")


def test_two_commands_in_one_message_are_one_plan_applied_in_order(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    chat.auto_approve = False
    replies = chat.say("payment 4개로 늘리고 cart 재시작해줘")
    plan = replies[-1]
    approvals = [b for b in plan["buttons"] if b["action"] == "approve"]
    assert len(approvals) == 1  # one approval for both
    shown = all_text([plan])
    assert shown.index("1. ") < shown.index("2. ")
    assert "payment" in shown
    assert "cart" in shown
    assert replicas(sandbox, "payment") == 2  # nothing before the approval
    done = chat.click("approve", approvals[0]["value"])
    assert done[-1]["text"] == "✅ 완료: 2단계 모두 끝났어요."
    assert replicas(sandbox, "payment") == 4
    assert restarted(sandbox, "cart")


def test_scale_and_restart_in_english_do_both(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    done = chat.say("scale payment to 3 and restart cart")
    assert done[-1]["text"] == "✅ Done: all 2 steps."
    assert replicas(sandbox, "payment") == 3
    assert restarted(sandbox, "cart")


def test_a_question_about_the_past_reads_the_audit_log(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat.say("scale payment to 3")
    answer = all_text(chat.say("who scaled payment yesterday?"))
    assert "alice" in answer
    assert "scale payment to 3" in answer
    assert replicas(clusters["sandbox"], "payment") == 3  # the question changed nothing


def test_a_cluster_named_in_the_sentence_is_the_cluster(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat.auto_approve = False
    plan = chat.say("scale payment to 3 in prod", user="bob")[-1]
    assert "prod/default" in plan["text"]
    assert replicas(clusters["prod"], "payment") == 2


def test_undo_reverses_the_last_change_made_here(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    chat.say("scale cart to 5")
    assert replicas(sandbox, "cart") == 5
    undone = chat.say("undo the last change")
    assert "Undoes: " in all_text(undone[:1])
    assert replicas(sandbox, "cart") == 2
    chat.say("deploy payment 1.1.0")
    chat.say("방금 거 되돌려줘")
    image = deployment(sandbox, "payment")["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.endswith(":1.0.0")


def test_cancel_withdraws_my_waiting_plan(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat.auto_approve = False
    assert chat.say("never mind")[-1]["text"] == ("You have no plan waiting for approval here.")
    plan = chat.say("scale cart to 4")[-1]
    cancelled = chat.say("cancel that")
    assert cancelled[-1]["text"].startswith("alice cancelled: ")
    approve = next(b for b in plan["buttons"] if b["action"] == "approve")
    late = chat.click("approve", approve["value"])
    assert "cancelled" in late[-1]["text"]
    assert replicas(clusters["sandbox"], "cart") == 2


def test_whats_wrong_is_a_diagnosis_not_the_alerts(chat: Chat) -> None:
    answer = chat.say("what's wrong with payment?")[-1]
    assert answer["text"].startswith("🟢 Nothing looks wrong with payment")


def test_a_guessed_app_is_named_in_the_plan(chat: Chat) -> None:
    chat.auto_approve = False
    plan = chat.say("scale paymnet to 4")[-1]
    assert "App: payment (the closest to “paymnet”)." in all_text([plan])


def test_an_answer_to_which_app_fills_that_question(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat.auto_approve = False
    chat.say("deploy payment 1.1.0")
    asked = chat.say("Roll back to revision 2")[-1]
    assert asked["text"].startswith("Which app?")
    plan = chat.say("cart")[-1]
    assert plan["text"].startswith("Roll cart in sandbox/default back to revision 2?")


def test_leftover_words_that_look_like_values_ask_first(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    asked = chat.say("restart payment 3")[-1]
    assert asked["text"] == (
        "I am not sure what “3” means there, so I did nothing. Did you mean this?"
    )
    assert [b["label"] for b in asked["buttons"]] == ["restart payment"]
    assert not restarted(clusters["sandbox"], "payment")
