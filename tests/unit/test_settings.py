"""Settings validation: a good kuber.yaml loads; every kind of bad one names what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import load_config_file, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy/examples/kuber.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kuber.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_example_file_loads_with_defaults_applied() -> None:
    config = load_config_file(EXAMPLE)
    team = config.teams[0]
    assert team.default_namespace == "payments"
    assert team.default_cluster == "prod-seoul"
    assert config.app("payment") is not None
    assert config.app("payment").deployment_name == "payment-api"  # type: ignore[union-attr]
    assert config.app("cart").container_name == "cart"  # type: ignore[union-attr]
    assert config.app("cart").max_replicas == 50  # type: ignore[union-attr]
    assert config.cluster("prod-seoul").protected  # type: ignore[union-attr]
    alice = config.person("slack", "U0ALICE")
    assert alice is not None
    assert alice.email == "alice@example.com"
    assert [(t.name, role) for t, role in config.memberships("alice")] == [("payments", "admin")]


def test_environment_and_file_load_together(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "KUBER_CONFIG": str(EXAMPLE),
            "KUBER_DATABASE_URL": "postgresql://kuber@db:5432/kuber",
            "KUBER_SLACK_BOT_TOKEN": "xoxb-secret-value",
            "KUBER_SLACK_SIGNING_SECRET": "signing-secret-value",
            "KUBECONFIG": str(tmp_path / "kubeconfig"),
            "UNRELATED": "ignored",
        }
    )
    assert settings.env.database_url.startswith("postgresql://")
    assert settings.env.kubeconfig == str(tmp_path / "kubeconfig")
    assert "xoxb-secret-value" not in repr(settings.env)
    assert settings.env.secrets() == ["xoxb-secret-value", "signing-secret-value"]
    assert len(settings.config.apps) == 2


def test_no_config_file_means_an_empty_but_valid_configuration() -> None:
    settings = load_settings({})
    assert settings.config.teams == []
    assert settings.env.database_url.startswith("sqlite:///")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("teams: [\n  - name: a\n  bad", "not valid YAML at line"),
        ("- just\n- a list\n", "the top level must be a mapping"),
        ("teams:\n  - name: a\n    chanels: {}\n", "teams[0].chanels: unknown key"),
        ("apps:\n  - name: Payment_API\n", "apps[0].name: 'Payment_API' is not a valid name"),
        ("apps:\n  - name: pay\n    max_replicas: 5000\n", "apps[0].max_replicas"),
        ("apps:\n  - name: pay\n    team: nobody\n", "apps[0].team: no team named 'nobody'"),
        ("apps:\n  - name: pay\n  - name: pay\n", "apps[1].name: 'pay' is defined twice"),
        (
            "apps:\n  - {name: a, aliases: [x]}\n  - {name: b, aliases: [x]}\n",
            "apps[1].aliases: 'x' already names app 'a'",
        ),
        (
            "teams:\n  - name: a\n    standup: {timezone: Mars/Olympus}\n",
            "teams[0].standup.timezone: unknown timezone 'Mars/Olympus'",
        ),
        (
            "teams:\n  - name: a\n    standup: {days: 1-5}\n",
            "teams[0].standup.days: '1-5': use day names",
        ),
        ("teams:\n  - name: a\n    standup: {time: '25:00'}\n", "is not a time of day"),
        (
            "clusters: [{name: prod}]\nteams:\n  - {name: a, clusters: [qa]}\n",
            "teams[0].clusters: no cluster named 'qa'",
        ),
        ("teams:\n  - {name: a, members: [{name: x, role: boss}]}\n", "teams[0].members[0].role"),
        ("policy: {approval_minutes: 0}\n", "policy.approval_minutes"),
    ],
)
def test_a_bad_file_names_the_path_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_missing_file_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"KUBER_CONFIG: cannot read .*nowhere.yaml"):
        load_settings({"KUBER_CONFIG": str(tmp_path / "nowhere.yaml")})


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("KUBER_DATABASE_URL", "mysql://x", "KUBER_DATABASE_URL: only sqlite"),
        ("KUBER_DATABASE_URL", "not a url", "KUBER_DATABASE_URL: not a database URL"),
        ("KUBER_LOG_LEVEL", "loud", "KUBER_LOG_LEVEL"),
        ("KUBER_KUBERNETES_TIMEOUT", "-1", "KUBER_KUBERNETES_TIMEOUT"),
        ("KUBER_PUBLIC_URL", "kuber.example.com", "KUBER_PUBLIC_URL: 'kuber.example.com' is not"),
        ("KUBER_SLACK_BOT_TOKEN", "xoxb-1", "KUBER_SLACK_SIGNING_SECRET: required with"),
        ("KUBER_MATTERMOST_URL", "http://mm", "KUBER_MATTERMOST_TOKEN, KUBER_MATTERMOST_COMMAND"),
    ],
)
def test_a_bad_variable_is_named(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({variable: value})


def test_members_are_known_by_id_on_chat_platforms_and_by_name_only_in_the_terminal(
    tmp_path: Path,
) -> None:
    config = load_config_file(
        write(
            tmp_path,
            "teams:\n  - name: t\n    members:\n"
            "      - {name: alice, slack: U0ALICE, role: admin}\n",
        )
    )
    assert config.person("slack", "U0ALICE") is not None
    # Anyone can call themselves "alice" on Mattermost, where alice has no id configured.
    assert config.person("mattermost", "u-mallory", "alice") is None
    assert config.person("slack", "U0MALLORY", "alice") is None
    assert config.person("console", "alice") is not None


def test_a_person_is_named_once_and_belongs_to_several_teams(tmp_path: Path) -> None:
    config = load_config_file(
        write(
            tmp_path,
            "people:\n"
            "  - {name: alice, email: alice@example.com, slack: U0ALICE, mattermost: u-alice}\n"
            "teams:\n"
            "  - {name: a, members: [{name: alice, role: admin}]}\n"
            "  - {name: b, namespaces: [b], members: [{name: alice, role: viewer}]}\n",
        )
    )
    assert config.person("slack", "U0ALICE") == config.person("mattermost", "u-alice")
    roles = [(t.name, role) for t, role in config.memberships("alice")]
    assert roles == [("a", "admin"), ("b", "viewer")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "people: [{name: alice, slack: U0ALICE}]\n"
            "teams: [{name: a, members: [{name: alice, slack: U0ALICE}]}]\n",
            r"teams\[0\]\.members\[0\]: alice's accounts are already given in people:",
        ),
        (
            "people: [{name: alice, slack: U0ALICE}, {name: mallory, slack: U0ALICE}]\n",
            "slack account 'U0ALICE' names both 'alice' and 'mallory'",
        ),
        (
            "people: [{name: alice}, {name: alice}]\n",
            r"people\[1\]\.name: 'alice' is defined twice",
        ),
        ("people: [{name: alice, email: alice}]\n", r"people\[0\]\.email"),
        (
            "teams: [{name: a, members: [{name: bob}, {name: bob}]}]\n",
            r"teams\[0\]\.members\[1\]\.name: 'bob' is defined twice",
        ),
    ],
)
def test_people_named_twice_or_accounts_shared_are_refused(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config_file(write(tmp_path, text))


def test_a_bad_variable_never_echoes_a_secret() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"KUBER_LOG_LEVEL": "loud", "KUBER_JIRA_TOKEN": "s3cr3t-token"})
    assert "s3cr3t-token" not in str(caught.value)


def test_retention_defaults_keep_the_audit_log_until_configured() -> None:
    retention = load_config_file(EXAMPLE).retention
    assert (retention.inbox_days, retention.outbox_days, retention.audit_days) == (7, 7, None)
    assert load_settings({}).config.retention == retention


def test_the_retention_section_loads(tmp_path: Path) -> None:
    config = load_config_file(
        write(tmp_path, "retention:\n  inbox_days: 3\n  outbox_days: 14\n  audit_days: 365\n")
    )
    assert (config.retention.inbox_days, config.retention.outbox_days) == (3, 14)
    assert config.retention.audit_days == 365


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("retention: {inbox_days: 0}\n", "retention.inbox_days: Input should be greater than 0"),
        ("retention: {outbox_days: -3}\n", "retention.outbox_days: Input should be greater"),
        ("retention: {audit_days: 0}\n", "retention.audit_days: Input should be greater than 0"),
        ("retention: {audit_days: forever}\n", "retention.audit_days: Input should be a valid"),
        ("retention: {inbox_days: yes}\n", "retention.inbox_days: Input should be a valid"),
        ("retention: {inbox_days: 1.5}\n", "retention.inbox_days: Input should be a valid"),
        ("retention: {inbox_day: 3}\n", "retention.inbox_day: unknown key"),
    ],
)
def test_a_bad_retention_value_names_its_path(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings({"KUBER_CONFIG": str(path)})
    assert message in str(caught.value)
