"""Who may do what: roles from kuber.yaml, protected targets, and who may approve a plan.

Viewers read; operators also scale, restart, build, silence and file issues; deployers also
deploy and roll back; admins do anything. A role holds within the person's team's apps,
namespaces and clusters (`role_at`); elsewhere they may only look, and only where the target is
not restricted. A change to a protected cluster or namespace needs an admin's approval, and
with `four_eyes` (the default) that admin must not be the person who asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.intents import IntentName
from bot.messages import Actor
from bot.settings import KuberConfig, Person, Role, Team

_RANK: dict[Role, int] = {"viewer": 0, "operator": 1, "deployer": 2, "admin": 3}

#: The least role that may ask for (or approve) each change; other changes need an operator.
REQUIRED_ROLE: dict[str, Role] = {
    IntentName.DEPLOY.value: "deployer",
    IntentName.ROLLBACK.value: "deployer",
    # A sequence step that proposes deploying what its build produced.
    "deploy_built": "deployer",
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


def person_for(config: KuberConfig, platform: str, actor: Actor) -> Person | None:
    return config.person(platform, actor.id, actor.name)


def person_of(config: KuberConfig, platform: str, user_id: str, name: str | None = None) -> str:
    """Who someone is, across platforms: the person kuber.yaml names for this account, or
    the account itself when nobody does. Four-eyes compares these, so one person with a
    Slack and a Mattermost account is still one person."""
    person = config.person(platform, user_id, name)
    return f"person:{person.name}" if person else f"{platform}:{user_id}"


def _highest(roles: list[Role]) -> Role:
    return max(roles, key=lambda role: _RANK[role])


def best_role(config: KuberConfig, person: Person | None) -> Role:
    """The highest role someone holds anywhere: what they may ask for at all, before the
    target is known (and what help lists). Where they hold it is checked at the target."""
    held = [role for _, role in config.memberships(person.name)] if person else []
    return _highest([config.policy.default_role, *held])


def role_at(
    config: KuberConfig,
    person: Person | None,
    *,
    app: str | None,
    cluster: str | None,
    namespace: str | None,
) -> Role | None:
    """Someone's role at one target; None when they may not even look at it.

    On a team's target (its app, or a namespace it lists) a member has their role in that
    team; anyone else is a viewer if `policy.open_reads`, else nothing. A target no team owns
    is every admin's; there others have `policy.default_role`, or only a look
    (`open_reads`) when the target is protected.
    """
    memberships = config.memberships(person.name) if person else []
    owners = config.owners(app=app, cluster=cluster, namespace=namespace)
    if owners:
        held = [role for team, role in memberships if team in owners]
        if held:
            return _highest(held)
        return "viewer" if config.policy.open_reads else None
    if any(role == "admin" for _, role in memberships):
        return "admin"
    if is_protected(config, cluster=cluster, namespace=namespace):
        return "viewer" if config.policy.open_reads else None
    return config.policy.default_role


def may_act_on(
    config: KuberConfig,
    person: Person | None,
    needed: Role,
    *,
    app: str | None,
    cluster: str | None,
    namespace: str | None,
) -> Decision:
    """May `person` do something needing `needed` at this target? The refusal names the
    target and, for a team's target, whose it is."""
    where = f"{cluster}/{namespace}" if cluster else str(namespace or "?")
    role = role_at(config, person, app=app, cluster=cluster, namespace=namespace)
    if role is None:
        owners = config.owners(app=app, cluster=cluster, namespace=namespace)
        if owners:
            teams = ", ".join(t.name for t in owners)
            return Decision(False, "policy_not_your_team", {"where": where, "teams": teams})
        return Decision(False, "policy_restricted_target", {"where": where})
    if _RANK[role] < _RANK[needed]:
        return Decision(
            False, "policy_needs_role_at", {"role": role, "needed": needed, "where": where}
        )
    return ALLOW


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
