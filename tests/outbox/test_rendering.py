"""Block Kit rendering and the outbox's JSON form of a reply: pure functions, no server."""

from __future__ import annotations

import pytest

from bot.chat.slack_render import parse_action_id, render_blocks
from bot.messages import Button, Field, Image, Reply
from bot.outbox_json import reply_from_json, reply_to_json


def test_a_reply_round_trips_through_json_with_its_images() -> None:
    reply = Reply(
        text="결제 서비스 scaled",
        fields=(Field("replicas", "3"),),
        buttons=(Button("Approve", "approve", "p1", "primary"),),
        images=(Image("chart", b"\x89PNG\x00\xff", alt="a chart"),),
        context="by alice",
        code="kubectl get pods",
        language="ko",
        ephemeral=True,
        thread="1700000000.000100",
        is_error=True,
        extra={"plan": {"app": "payment", "replicas": 3}},
    )
    assert reply_from_json(reply_to_json(reply)) == reply


def test_json_refuses_extra_it_cannot_store() -> None:
    with pytest.raises(TypeError):
        reply_to_json(Reply(text="x", extra={"when": object()}))


def test_blocks_for_each_part_of_a_reply() -> None:
    text, blocks = render_blocks(
        Reply(
            text="Scale *payment* to 3? a < b & <@U0ALICE>",
            fields=(Field("from", "1"), Field("to", "3")),
            code="NAME  READY\npayment  <none>",
            context="sandbox/default",
            buttons=(
                Button("Approve", "approve", "p1", "primary"),
                Button("Cancel", "cancel", "p1", "danger"),
                Button("More", "fill", "x"),
            ),
        )
    )
    assert text == "Scale *payment* to 3? a &lt; b &amp; <@U0ALICE>"
    kinds = [b["type"] for b in blocks]
    assert kinds == ["section", "section", "section", "context", "actions"]
    assert [f["text"] for f in blocks[1]["fields"]] == ["*from*\n1", "*to*\n3"]
    assert blocks[2]["text"]["text"] == "```\nNAME  READY\npayment  &lt;none&gt;\n```"
    buttons = blocks[4]["elements"]
    assert [b["action_id"] for b in buttons] == [
        "kuber_approve_0",
        "kuber_cancel_1",
        "kuber_fill_2",
    ]
    assert [b.get("style") for b in buttons] == ["primary", "danger", None]
    assert [parse_action_id(b["action_id"]) for b in buttons] == ["approve", "cancel", "fill"]


def test_errors_are_marked() -> None:
    text, blocks = render_blocks(Reply(text="No app paymnt", is_error=True))
    assert text.startswith(":warning: ")
    assert blocks[0]["text"]["text"].startswith(":warning: ")


def test_limits_are_kept() -> None:
    _, blocks = render_blocks(
        Reply(
            text="a & b\n" * 3000,
            fields=tuple(Field(f"f{i}", "v" * 3000) for i in range(23)),
            buttons=tuple(Button("L" * 100, "approve", str(i)) for i in range(26)),
        )
    )
    assert len(blocks) <= 50
    assert blocks[-2]["type"] == blocks[-1]["type"] == "actions"
    for block in blocks:
        if "text" in block:
            assert len(block["text"]["text"]) <= 3000
            assert not block["text"]["text"].endswith("&am")
        for field in block.get("fields", []):
            assert len(field["text"]) <= 2000
        assert len(block.get("fields", [])) <= 10
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75


def test_a_button_value_too_long_for_slack_is_refused_not_cut() -> None:
    with pytest.raises(ValueError, match="2000"):
        render_blocks(Reply(text="x", buttons=(Button("Go", "approve", "v" * 2001),)))


def test_an_action_id_not_ours_is_refused() -> None:
    with pytest.raises(ValueError, match="not a Kuber button"):
        parse_action_id("approve")
    assert parse_action_id("kuber_run_again_12") == "run_again"
