"""Who may do what: roles, protected targets, the team's own scope and the four-eyes rule."""

from __future__ import annotations

import pytest

from bot.intents import IntentName
from bot.messages import Actor
from bot.policy import is_protected, may_approve, may_request, person_of, role_of
from bot.settings import KuberConfig

CONFIG = KuberConfig.model_validate(
    {
        "teams": [
            {
                "name": "payments",
                "namespaces": ["payments", "payments-staging"],
                "clusters": ["prod", "staging"],
                "members": [
                    {"name": "alice", "slack": "U0ALICE", "mattermost": "u-alice", "role": "admin"},
                    {"name": "bob", "slack": "U0BOB", "role": "deployer"},
                    {"name": "carol", "slack": "U0CAROL", "role": "viewer"},
                ],
            }
        ],
        "clusters": [{"name": "prod", "protected": True}, {"name": "staging"}],
    }
)
TEAM = CONFIG.teams[0]


def test_roles_come_from_ids_and_strangers_get_the_default() -> None:
    assert role_of(CONFIG, "slack", Actor("U0ALICE", "whatever")) == "admin"
    assert role_of(CONFIG, "slack", Actor("U0EVE", "alice")) == "viewer"


def test_viewers_may_ask_but_not_change() -> None:
    assert may_request("viewer", IntentName.STATUS, mutating=False).allowed
    refused = may_request("viewer", IntentName.SCALE, mutating=True)
    assert (refused.allowed, refused.reason) == (False, "policy_needs_role")
    assert refused.params == {"role": "viewer", "needed": "operator"}


def test_operators_scale_and_restart_but_deployers_deploy_and_roll_back() -> None:
    for intent in (IntentName.SCALE, IntentName.RESTART, IntentName.BUILD, IntentName.SILENCE):
        assert may_request("operator", intent, mutating=True).allowed
    for intent in (IntentName.DEPLOY, IntentName.ROLLBACK):
        refused = may_request("operator", intent, mutating=True)
        assert refused.params == {"role": "operator", "needed": "deployer"}
        assert may_request("deployer", intent, mutating=True).allowed
    operator_approves_deploy = may_approve(
        CONFIG,
        approver_role="operator",
        approver=person_of(CONFIG, "slack", "U0OPS"),
        requester=person_of(CONFIG, "slack", "U0BOB"),
        protected=False,
        action="deploy",
    )
    assert operator_approves_deploy.params == {"needed": "deployer"}


@pytest.mark.parametrize(
    ("cluster", "namespace", "protected"),
    [
        ("staging", "payments", False),
        ("staging", "payments-staging", False),
        ("prod", "payments", True),  # a protected cluster
        ("staging", "production", True),  # a protected namespace
        ("staging", "kube-system", True),  # outside the team's namespaces
        ("gke-tokyo", "payments", True),  # outside the team's clusters
    ],
)
def test_what_is_protected(cluster: str, namespace: str, protected: bool) -> None:
    assert is_protected(CONFIG, cluster=cluster, namespace=namespace, team=TEAM) is protected


def test_protected_changes_need_another_admin() -> None:
    def approve(role: str, approver: str) -> str | None:
        decision = may_approve(
            CONFIG,
            approver_role=role,  # type: ignore[arg-type]
            approver=person_of(CONFIG, "slack", approver),
            requester=person_of(CONFIG, "slack", "U0BOB"),
            protected=True,
        )
        return None if decision.allowed else decision.reason

    assert approve("admin", "U0ALICE") is None
    assert approve("deployer", "U0BOB") == "policy_protected_needs_admin"
    assert approve("viewer", "U0CAROL") == "policy_needs_role_to_approve"
    own = may_approve(
        CONFIG,
        approver_role="admin",
        approver=person_of(CONFIG, "slack", "U0ALICE"),
        requester=person_of(CONFIG, "slack", "U0ALICE"),
        protected=True,
    )
    assert own.reason == "policy_four_eyes"


def test_four_eyes_compares_people_not_accounts() -> None:
    """alice asking on Slack cannot approve her own plan from her Mattermost account."""
    as_herself = may_approve(
        CONFIG,
        approver_role="admin",
        approver=person_of(CONFIG, "mattermost", "u-alice"),
        requester=person_of(CONFIG, "slack", "U0ALICE"),
        protected=True,
    )
    assert (as_herself.allowed, as_herself.reason) == (False, "policy_four_eyes")
    # Accounts nobody names stay apart: a stranger is not alice, whatever they call themselves.
    assert person_of(CONFIG, "slack", "U0EVE", "alice") != person_of(CONFIG, "slack", "U0ALICE")


def test_kube_namespaces_are_protected_without_being_listed() -> None:
    for namespace in ("kube-system", "kube-public", "kube-node-lease"):
        assert is_protected(CONFIG, cluster="staging", namespace=namespace, team=None)
    assert not is_protected(CONFIG, cluster="staging", namespace="kubernetes-dashboard", team=None)
