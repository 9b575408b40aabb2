"""`kuber sandbox` and `kuber demo`: start every sandbox server on loopback, write the
kubeconfig and kuber.yaml that describe them, and hand back the environment pointing Kuber
at them. Tokens here are sandbox-only values, generated fresh per run.

Jenkins has a build job per sample app (`{app}-build`, as kuber.yaml names it) and a deploy
job in a folder (`payments/payment-deploy`); it tells Kuber when builds end (the Notification
plugin) at `KUBER_PUBLIC_URL/jenkins/notify`."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sandbox.http import SandboxServer
from sandbox.jenkins import JenkinsSandbox, JobSpec, ParameterSpec
from sandbox.jenkins_model import DEFAULT_STAGES
from sandbox.jira import JiraSandbox
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
#: Apps whose build job is a freestyle job (no Pipeline stages), as older jobs often are.
FREESTYLE_APPS = frozenset({"frontend"})
#: Where the sample apps' builds leave the tag of the image they pushed.
IMAGE_TAG_FROM = "artifact image-tag.txt"


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
    standup: bool = True,
) -> dict[str, Any]:
    """The sample team and the seeded apps; `prod` is a protected cluster, as it would be.

    `guest` (the person at the demo console) joins the team as a deployer, so the demo's own
    user may change the sandbox while prod still needs an admin. Without `standup` the team
    has no stand-up timetable: a server started at 09:30 in Seoul then posts no digest.
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
                **(
                    {"standup": {"days": "mon-fri", "time": "09:30", "timezone": "Asia/Seoul"}}
                    if standup
                    else {}
                ),
                "members": members,
            }
        ],
        "apps": [
            {
                "name": name,
                "team": "payments",
                "jenkins_job": f"{name}-build",
                "image_tag_from": IMAGE_TAG_FROM,
                "aliases": aliases,
            }
            for name, aliases in APPS.items()
        ],
        "clusters": [{"name": "sandbox"}, {"name": "prod", "protected": True}],
        "policy": {"default_role": "viewer"},
    }


def jenkins_jobs() -> list[JobSpec]:
    """A build job per sample app, and one deploy job in a folder.

    A build whose parameters contain "fail" (a branch such as `fix/fail-fast`) fails in its
    Test stage, so the demo can show a red build on purpose.
    """
    requested_by = ParameterSpec("REQUESTED_BY", "", description="Who asked for it (from Kuber)")
    jobs = [
        JobSpec(
            f"{app}-build",
            app=app,
            parameters=[
                ParameterSpec("BRANCH", "main", description="Git branch to build"),
                requested_by,
            ],
            pipeline=app not in FREESTYLE_APPS,
            stages=(("Build", 1.0),) if app in FREESTYLE_APPS else DEFAULT_STAGES,
        )
        for app in APPS
    ]
    jobs.append(
        JobSpec(
            "payments/payment-deploy",
            app="payment",
            parameters=[
                ParameterSpec("VERSION", "", description="Image tag to deploy"),
                ParameterSpec("ENVIRONMENT", "staging", choices=("staging", "production")),
                requested_by,
            ],
            stages=(("Deploy", 0.8), ("Smoke test", 0.2)),
            produces_image=False,
        )
    )
    return jobs


def start_jenkins(
    *,
    build_duration: float = 4.0,
    quiet_period: float = 1.0,
    notify_url: str | None = None,
    notify_token: str | None = None,
) -> JenkinsSandbox:
    """The sandbox Jenkins with the sample jobs, started."""
    headers = {"Authorization": f"Bearer {notify_token}"} if notify_token else {}
    jenkins = JenkinsSandbox(
        build_duration=build_duration,
        quiet_period=quiet_period,
        notify_url=notify_url,
        notify_headers=headers,
    )
    jenkins.add_folder("payments", "The payments team's jobs")
    for spec in jenkins_jobs():
        jenkins.add_job(spec)
    return jenkins.start()


@contextmanager
def start_sandbox(
    state_dir: Path,
    *,
    pod_start_delay: float = 1.0,
    guest: str | None = None,
    build_duration: float = 4.0,
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
        public_url = "http://127.0.0.1:8080"
        webhook_token = secrets.token_hex(16)
        jenkins = start_jenkins(
            build_duration=build_duration,
            notify_url=public_url + "/jenkins/notify",
            notify_token=webhook_token,
        )
        run.servers["jenkins"] = jenkins
        jira = JiraSandbox().start()
        run.servers["jira"] = jira
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
            "KUBER_WEBHOOK_TOKEN": webhook_token,
            "KUBER_JENKINS_URL": jenkins.url,
            "KUBER_JENKINS_USER": jenkins.user,
            "KUBER_JENKINS_TOKEN": jenkins.token,
            "KUBER_JIRA_URL": jira.url,
            "KUBER_JIRA_USER": jira.user,
            "KUBER_JIRA_TOKEN": jira.token,
            "KUBER_ROLLOUT_TIMEOUT": "60",
            # Where `kuber serve` listens by default; Mattermost sends button clicks there,
            # and Jenkins its build notifications.
            "KUBER_PUBLIC_URL": public_url,
        }
        yield run
    finally:
        run.stop()
