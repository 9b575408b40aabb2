"""`kuber sandbox` and `kuber demo`: start every sandbox server on loopback, write the
kubeconfig and kuber.yaml that describe them, and hand back the environment pointing Kuber
at them. Tokens here are sandbox-only values, generated fresh per run."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sandbox.http import SandboxServer
from sandbox.kubeconfig import write_kubeconfig
from sandbox.kubernetes import KubernetesSandbox
from sandbox.mattermost import MattermostSandbox
from sandbox.slack import SlackSandbox

#: The seeded apps, with the aliases people use for them in chat.
APPS: dict[str, list[str]] = {
    "payment": ["pay", "결제"],
    "marvel-collection": ["marvel", "마블"],
    "cart": ["장바구니"],
    "user-api": ["users", "유저"],
    "order-service": ["orders", "주문"],
    "frontend": ["web", "프론트"],
    "auth": ["인증"],
}
CLUSTERS = ("sandbox", "prod")


@dataclass
class SandboxRun:
    servers: dict[str, SandboxServer] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def names(self) -> list[str]:
        return list(self.servers)

    def urls(self) -> dict[str, str]:
        return {name: server.url for name, server in self.servers.items()}

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def kuber_yaml(
    slack_channel: str = "C0PAY",
    mattermost_channel: str = "ch-payments",
    *,
    guest: str | None = None,
) -> dict[str, Any]:
    """The sample team and the seeded apps; `prod` is a protected cluster, as it would be.

    `guest` (the person at the demo console) joins the team as a deployer, so the demo's own
    user may change the sandbox while prod still needs an admin.
    """
    people = [
        {
            "name": "alice",
            "email": "alice@example.com",
            "slack": "U0ALICE",
            "mattermost": "u-alice",
        },
        {"name": "bob", "email": "bob@example.com", "slack": "U0BOB", "mattermost": "u-bob"},
        {
            "name": "carol",
            "email": "carol@example.com",
            "slack": "U0CAROL",
            "mattermost": "u-carol",
        },
    ]
    members = [
        {"name": "alice", "role": "admin"},
        {"name": "bob", "role": "deployer"},
        {"name": "carol", "role": "viewer"},
    ]
    if guest is not None and guest not in {p["name"] for p in people}:
        members.append({"name": guest, "role": "deployer"})
    return {
        "people": people,
        "teams": [
            {
                "name": "payments",
                "channels": {"slack": slack_channel, "mattermost": mattermost_channel},
                "namespaces": ["default", "staging"],
                "clusters": list(CLUSTERS),
                "jira": {"project": "PAY", "board": 1},
                "standup": {"days": "mon-fri", "time": "09:30", "timezone": "Asia/Seoul"},
                "members": members,
            }
        ],
        "apps": [
            {"name": name, "team": "payments", "jenkins_job": f"{name}-build", "aliases": aliases}
            for name, aliases in APPS.items()
        ],
        "clusters": [{"name": "sandbox"}, {"name": "prod", "protected": True}],
        "policy": {"default_role": "viewer"},
    }


@contextmanager
def start_sandbox(
    state_dir: Path, *, pod_start_delay: float = 1.0, guest: str | None = None
) -> Iterator[SandboxRun]:
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    run = SandboxRun()
    try:
        for cluster in CLUSTERS:
            run.servers[f"kubernetes-{cluster}"] = KubernetesSandbox(
                pod_start_delay=pod_start_delay, cluster_name=cluster
            ).start()
        slack = SlackSandbox(
            bot_token=f"xoxb-sandbox-{secrets.token_hex(8)}",
            signing_secret=secrets.token_hex(16),
        ).start()
        mattermost = MattermostSandbox(
            bot_token=secrets.token_hex(13), command_token=secrets.token_hex(13)
        ).start()
        run.servers["slack"] = slack
        run.servers["mattermost"] = mattermost
        kubeconfig = write_kubeconfig(
            state_dir / "kubeconfig",
            {c: run.servers[f"kubernetes-{c}"].url for c in CLUSTERS},
            current=CLUSTERS[0],
        )
        config_path = state_dir / "kuber.yaml"
        config_path.write_text(
            "# Written by `kuber sandbox`: the sample team and the seeded apps.\n"
            + yaml.safe_dump(kuber_yaml(guest=guest), sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )
        run.env = {
            "KUBECONFIG": str(kubeconfig.resolve()),
            "KUBER_CONFIG": str(config_path.resolve()),
            "KUBER_DATABASE_URL": f"sqlite:///{(state_dir / 'kuber.db').resolve()}",
            "KUBER_SLACK_API_URL": slack.url + "/api/",
            "KUBER_SLACK_BOT_TOKEN": slack.bot_token,
            "KUBER_SLACK_SIGNING_SECRET": slack.signing_secret,
            "KUBER_MATTERMOST_URL": mattermost.url,
            "KUBER_MATTERMOST_TOKEN": mattermost.bot_token,
            "KUBER_MATTERMOST_COMMAND_TOKEN": mattermost.command_token,
            "KUBER_MATTERMOST_ACTION_SECRET": secrets.token_hex(16),
            "KUBER_WEBHOOK_TOKEN": secrets.token_hex(16),
            "KUBER_ROLLOUT_TIMEOUT": "60",
            # Where `kuber serve` listens by default; Mattermost sends button clicks there.
            "KUBER_PUBLIC_URL": "http://127.0.0.1:8080",
        }
        yield run
    finally:
        run.stop()
