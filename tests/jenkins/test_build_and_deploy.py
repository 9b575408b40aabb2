"""`build payment and deploy it` / `payment 빌드해서 배포해줘`: one plan of two steps; after a
green build the deploy of the tag it produced is proposed, approved like any deploy, and the
new image rolls out in the Kubernetes sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.jenkins import JenkinsSandbox
from sandbox.kubernetes import KubernetesSandbox
from tests.scenarios.conftest import Chat, all_text, deployment


def image(server: KubernetesSandbox, app: str) -> str:
    return str(deployment(server, app)["spec"]["template"]["spec"]["containers"][0]["image"])


def approve_of(reply: dict[str, Any]) -> str:
    return str(next(b["value"] for b in reply["buttons"] if b["action"] == "approve"))


@pytest.mark.parametrize(
    ("asked", "finished"),
    [
        ("build payment and deploy it", "✅ Done: deploying payment 1.1.4"),
        ("payment 빌드해서 배포해줘", "✅ 완료: payment 1.1.4 배포"),
    ],
)
def test_a_green_build_proposes_the_deploy_of_its_tag(
    chat: Chat,
    jenkins: JenkinsSandbox,
    clusters: dict[str, KubernetesSandbox],
    asked: str,
    finished: str,
) -> None:
    chat.auto_approve = False
    plan = chat.say(asked)[-1]
    assert len([b for b in plan["buttons"] if b["action"] == "approve"]) == 1
    assert "payment" in all_text([plan])
    replies = chat.click("approve", approve_of(plan))
    proposed = next(r for r in replies if r["buttons"] and not r.get("edit"))
    assert "1.1.4" in all_text([proposed])  # the tag the build produced
    assert image(clusters["sandbox"], "payment").endswith(":1.0.0")  # not before approval
    done = chat.click("approve", approve_of(proposed))
    assert done[-1]["text"].startswith(finished)
    assert image(clusters["sandbox"], "payment").endswith(":1.1.4")
