"""Who may do what: roles, protected targets, the team's own scope and the four-eyes rule."""

from __future__ import annotations

import pytest

from bot.intents import IntentName
from bot.messages import Actor
from bot.policy import (
    best_role,
    is_protected,
    may_act_on,
    may_approve,
    may_request,
    person_for,
    person_of,
    role_at,
)
from bot.settings import KuberConfig, Person

CONFIG = KuberConfig.model_validate(
    {
        "people": [
            {"name": "alice", "slack": "U0ALICE", "mattermost": "u-alice"},
            {"name": "bob", "slack": "U0BOB"},
            {"name": "carol", "slack": "U0CAROL"},
            {"name": "dana", "slack": "U0DANA", "email": "dana@example.com"},
        ],
        "teams": [
            {
                "name": "payments",
                "namespaces": ["payments", "payments-staging"],
                "clusters": ["prod", "staging"],
                "members": [
                    {"name": "alice", "role": "admin"},
                    {"name": "bob", "role": "deployer"},
                    {"name": "carol", "role": "viewer"},
                ],
            },
            {
                "name": "search",
                "namespaces": ["search"],
                "members": [
                    {"name": "dana", "role": "admin"},
                    {"name": "carol", "role": "operator"},
                ],
            },
        ],
        "apps": [{"name": "payment", "team": "payments"}, {"name": "indexer", "team": "search"}],
        "clusters": [{"name": "prod", "protected": True}, {"name": "staging"}],
    }
)
OPEN = CONFIG.model_copy(update={"policy": CONFIG.policy.model_copy(update={"open_reads": True})})
TEAM = CONFIG.teams[0]


def person(name: str) -> Person | None:
    return CONFIG.person_named(name)


def at(config: KuberConfig, who: str | None, **target: str | None) -> str | None:
    scope = {"app": None, "cluster": "staging", "namespace": None, **target}
    return role_at(config, config.person_named(who) if who else None, **scope)


def test_people_are_known_by_their_accounts_and_strangers_by_nothing() -> None:
    assert person_for(CONFIG, "slack", Actor("U0ALICE", "whatever")) == person("alice")
    assert person_for(CONFIG, "mattermost", Actor("u-alice", "a")) == person("alice")
    assert person_for(CONFIG, "slack", Actor("U0EVE", "alice")) is None
    assert best_role(CONFIG, None) == "viewer"  # policy.default_role
    assert best_role(CONFIG, person("carol")) == "operator"  # her highest, in search


def test_a_role_holds_in_the_persons_own_team_only() -> None:
    # carol: viewer in payments, operator in search.
    assert at(CONFIG, "carol", app="payment") == "viewer"
    assert at(CONFIG, "carol", app="indexer") == "operator"
    assert at(CONFIG, "carol", namespace="search") == "operator"
    # An admin of search is a stranger to payments: without open reads, not even a look.
    assert at(CONFIG, "dana", app="payment") is None
    assert at(OPEN, "dana", app="payment") == "viewer"
    assert at(CONFIG, None, namespace="payments") is None
    # A namespace is the team's only on the clusters the team names.
    assert at(CONFIG, "bob", namespace="payments", cluster="prod") == "deployer"
    assert at(CONFIG, "bob", namespace="payments", cluster="gke-tokyo") == "viewer"


def test_targets_no_team_owns_are_admins_and_otherwise_the_default_roles() -> None:
    assert at(CONFIG, "bob", namespace="tools") == "viewer"
    assert at(CONFIG, None, namespace="tools") == "viewer"
    assert at(CONFIG, "dana", namespace="kube-system") == "admin"
    # kube-system is protected and no team's: a deployer may not even read its logs.
    assert at(CONFIG, "bob", namespace="kube-system") is None
    assert at(OPEN, "bob", namespace="kube-system") == "viewer"


def test_refusals_name_the_target_and_whose_it_is() -> None:
    outsider = may_act_on(
        CONFIG, person("dana"), "viewer", app="payment", cluster="staging", namespace="payments"
    )
    assert (outsider.reason, outsider.params) == (
        "policy_not_your_team",
        {"where": "staging/payments", "teams": "payments"},
    )
    viewer = may_act_on(
        CONFIG, person("carol"), "operator", app="payment", cluster="staging", namespace="payments"
    )
    assert viewer.reason == "policy_needs_role_at"
    assert viewer.params == {"role": "viewer", "needed": "operator", "where": "staging/payments"}
    system = may_act_on(
        CONFIG, person("bob"), "viewer", app=None, cluster="staging", namespace="kube-system"
    )
    assert system.reason == "policy_restricted_target"
    assert may_act_on(
        CONFIG, person("bob"), "deployer", app="payment", cluster="staging", namespace="payments"
    ).allowed


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
