"""`roll back payment to 0.9.5`: the version names the revision that ran it, never "the
previous one"; a version never deployed is answered with the versions there are."""

from __future__ import annotations

from sandbox.kubernetes import KubernetesSandbox
from tests.scenarios.conftest import Chat, all_text, deployment


def image(server: KubernetesSandbox, app: str) -> str:
    return str(deployment(server, app)["spec"]["template"]["spec"]["containers"][0]["image"])


def test_rollback_to_a_version_restores_the_revision_that_ran_it(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    assert image(sandbox, "payment").endswith(":1.0.0")
    replies = chat.say("roll back payment to 0.9.0")
    assert "payment:0.9.0" in all_text(replies[:1])
    assert replies[-1]["text"].startswith("✅ Done: rolling payment back")
    assert image(sandbox, "payment").endswith(":0.9.0")


def test_a_version_that_never_ran_is_answered_with_the_versions_there_are(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    replies = chat.say("roll back payment to 7.7.7")
    assert replies[-1]["text"] == (
        "No revision of payment ran 7.7.7. Versions in its history: 0.9.0, 0.9.5, 1.0.0."
    )
    assert [b["label"] for b in replies[-1]["buttons"]] == ["0.9.0", "0.9.5", "1.0.0"]
    assert image(clusters["sandbox"], "payment").endswith(":1.0.0")
