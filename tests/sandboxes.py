"""Helpers shared by the test tiers: a Kuber environment pointed at Kubernetes sandboxes (and
at the Slack and Mattermost sandboxes), and a wait for something a background worker will do."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sandbox.kubeconfig import write_kubeconfig
from sandbox.kubernetes import KubernetesSandbox
from sandbox.launcher import kuber_yaml
from sandbox.mattermost import MattermostSandbox
from sandbox.slack import SlackSandbox

#: The key Kuber signs its Mattermost buttons with, in the tests that serve Mattermost.
MATTERMOST_ACTION_SECRET = "action-signing-key-for-tests"


def sandbox_env(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], *, standup: bool = False, **extra: str
) -> dict[str, str]:
    """KUBER_* variables for the sample team of `kuber sandbox`, against `clusters`.

    The team's stand-up timetable is left out unless asked for: a server started on a weekday
    morning in Seoul would otherwise post a digest into the test's channel."""
    kubeconfig = write_kubeconfig(
        tmp_path / "kubeconfig", {name: s.url for name, s in clusters.items()}, current="sandbox"
    )
    config = tmp_path / "kuber.yaml"
    config.write_text(
        yaml.safe_dump(kuber_yaml(standup=standup), allow_unicode=True), encoding="utf-8"
    )
    env = {
        "KUBECONFIG": str(kubeconfig),
        "KUBER_CONFIG": str(config),
        "KUBER_DATABASE_URL": f"sqlite:///{tmp_path / 'kuber.db'}",
        "KUBER_ROLLOUT_TIMEOUT": "20",
        "KUBER_LOG_LEVEL": "warning",
    }
    env.update(extra)
    return env


def slack_settings(slack: SlackSandbox) -> dict[str, str]:
    """KUBER_* variables for Kuber to take Slack's requests from, and answer through, `slack`."""
    return {
        "KUBER_SLACK_BOT_TOKEN": slack.bot_token,
        "KUBER_SLACK_SIGNING_SECRET": slack.signing_secret,
        "KUBER_SLACK_API_URL": slack.url + "/api/",
    }


def mattermost_settings(mattermost: MattermostSandbox, public_url: str) -> dict[str, str]:
    """KUBER_* variables for Kuber to serve `mattermost`, reachable itself at `public_url`."""
    return {
        "KUBER_MATTERMOST_URL": mattermost.url,
        "KUBER_MATTERMOST_TOKEN": mattermost.bot_token,
        "KUBER_MATTERMOST_COMMAND_TOKEN": mattermost.command_token,
        "KUBER_MATTERMOST_ACTION_SECRET": MATTERMOST_ACTION_SECRET,
        "KUBER_PUBLIC_URL": public_url,
    }


def eventually(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
