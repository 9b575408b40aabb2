"""Help lists what the person asking may do: an operator is shown scaling but not deploying,
a viewer no change at all, and each role is named."""

from __future__ import annotations

import io
from pathlib import Path

import yaml

from bot.chat.console import ConsoleConversation
from bot.messages import Actor, Incoming
from bot.runtime import build_runtime
from sandbox.kubernetes import KubernetesSandbox
from tests.sandboxes import sandbox_env


def help_for(tmp_path: Path, clusters: dict[str, KubernetesSandbox], actor: Actor) -> str:
    env = sandbox_env(tmp_path, clusters)
    path = Path(env["KUBER_CONFIG"])
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["teams"][0]["members"].append({"name": "olga", "slack": "U0OLGA", "role": "operator"})
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    runtime = build_runtime(env)
    chat = ConsoleConversation(io.StringIO(), as_json=True)
    runtime.dispatcher.handle_message(Incoming("slack", "C0PAY", actor, "help"), chat)
    runtime.close()
    (shown,) = chat.replies
    lines = [shown["text"], *(f"{f['label']}: {f['value']}" for f in shown["fields"])]
    return "\n".join([*lines, str(shown["context"])])


def test_an_operator_is_shown_scaling_but_not_deploying(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    shown = help_for(tmp_path, clusters, Actor("U0OLGA", "olga"))
    assert "Scale an app" in shown
    assert "deploy payment" not in shown
    assert "roll back" not in shown.lower()
    assert "Your role: operator." in shown


def test_a_deployer_is_shown_deploying_and_a_viewer_no_change(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    deployer = help_for(tmp_path, clusters, Actor("U0BOB", "bob"))
    assert "deploy payment" in deployer
    viewer = help_for(tmp_path / "viewer", clusters, Actor("U0CAROL", "carol"))
    assert "Scale an app" not in viewer
    assert "Your role: viewer." in viewer
