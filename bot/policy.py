"""Who may do what: roles from kuber.yaml, protected targets, and who may approve a plan.

Viewers read; operators also scale, restart, build, silence and file issues; deployers also
deploy and roll back; admins do anything. A change to a protected cluster or namespace needs
an admin's approval, and with `four_eyes` (the default) that admin must not be the person
who asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.intents import IntentName
from bot.messages import Actor
from bot.settings import KuberConfig, Member, Role, Team

_RANK: dict[Role, int] = {"viewer": 0, "operator": 1, "deployer": 2, "admin": 3}

#: The least role that may ask for (or approve) each change; other changes need an operator.
REQUIRED_ROLE: dict[str, Role] = {
    IntentName.DEPLOY.value: "deployer",
    IntentName.ROLLBACK.value: "deployer",
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: A message key of `bot.i18n` explaining a refusal, and what it names.
    reason: str | None = None
    params: dict[str, str] = field(default_factory=dict)


def required_role(action: str, *, mutating: bool = True) -> Role:
    """The least role for intent or plan action `action`."""
    if not mutating:
        return "viewer"
    return REQUIRED_ROLE.get(action, "operator")


ALLOW = Decision(True)


def member_of(config: KuberConfig, platform: str, actor: Actor) -> Member | None:
    return config.member(platform, actor.id, actor.name)


def person_of(config: KuberConfig, platform: str, user_id: str, name: str | None = None) -> str:
    """Who someone is, across platforms: the person kuber.yaml names for this account, or
    the account itself when nobody does. Four-eyes compares these, so one person with a
    Slack and a Mattermost account is still one person."""
    member = config.member(platform, user_id, name)
    return f"person:{member.name}" if member else f"{platform}:{user_id}"


def role_of(config: KuberConfig, platform: str, actor: Actor) -> Role:
    member = member_of(config, platform, actor)
    return member.role if member else config.policy.default_role


def may_request(role: Role, intent: IntentName, mutating: bool) -> Decision:
    """May someone with `role` ask for `intent` at all (before any target is known)?"""
    needed = required_role(intent.value, mutating=mutating)
    if _RANK[role] < _RANK[needed]:
        return Decision(False, "policy_needs_role", {"role": role, "needed": needed})
    return ALLOW


def is_protected(
    config: KuberConfig,
    *,
    cluster: str | None,
    namespace: str | None,
    team: Team | None = None,
) -> bool:
    """Protected: a protected cluster or namespace, or one outside the asking team's own
    (a deployer of payments should not stop coredns in kube-system on their own say-so)."""
    if namespace and (
        namespace in config.policy.protected_namespaces or namespace.startswith("kube-")
    ):
        return True
    found = config.cluster(cluster) if cluster else None
    if found and found.protected:
        return True
    if team is not None:
        if namespace and namespace not in team.namespaces:
            return True
        if cluster and team.clusters and cluster not in team.clusters:
            return True
    return False


def may_approve(
    config: KuberConfig,
    *,
    approver_role: Role,
    approver: str,
    requester: str,
    protected: bool,
    action: str = "scale",
) -> Decision:
    """May someone with `approver_role` approve a plan; `approver` and `requester` are people
    (`person_of`), never raw platform ids."""
    needed = required_role(action)
    if _RANK[approver_role] < _RANK[needed]:
        return Decision(False, "policy_needs_role_to_approve", {"needed": needed})
    if not protected:
        return ALLOW
    if approver_role != "admin":
        return Decision(False, "policy_protected_needs_admin")
    if config.policy.four_eyes and approver == requester:
        return Decision(False, "policy_four_eyes")
    return ALLOW
