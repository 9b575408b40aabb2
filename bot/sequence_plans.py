"""Two or more changes asked for in one message ("scale payment to 4 and restart cart"),
made one plan: one approval, its steps applied in the order they were asked.

A step keeps its own action and parameters, so each is applied by its own applier and judged
at its own target (who may approve it, whether it is protected).
"""

from __future__ import annotations

from typing import Any

from bot.plans import Change, Plan

#: The plan action of a sequence; `commands.sequence` applies it step by step.
SEQUENCE = "sequence"
#: A step deploying what the build before it produced ("build payment and deploy it"): its
#: version is known only once the build is green, so it proposes a deploy plan then.
DEPLOY_BUILT = "deploy_built"


def combine(plans: list[Plan], title: str) -> Plan:
    """One plan doing `plans` in order; its target names every step's target."""
    steps = [
        {"action": p.action, "params": p.params, "title": p.title, "target": p.target}
        for p in plans
    ]
    changes = tuple(
        Change(f"{index}. {change.what}", change.before, change.after)
        for index, plan in enumerate(plans, 1)
        for change in plan.changes
    )
    notes = tuple(f"{index}. {plan.title}" for index, plan in enumerate(plans, 1)) + tuple(
        note for plan in plans for note in plan.notes
    )
    return Plan(
        action=SEQUENCE,
        params={"steps": steps},
        title=title,
        target=" + ".join(p.target for p in plans)[:256],
        changes=changes,
        notes=notes,
        protected=any(p.protected for p in plans),
    )


def steps_of(action: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The (action, parameters) of each change a plan makes: its steps, or itself."""
    if action != SEQUENCE:
        return [(action, params)]
    found = []
    for step in params.get("steps") or []:
        if isinstance(step, dict) and isinstance(step.get("params"), dict):
            found.append((str(step.get("action")), dict(step["params"])))
    return found


def deploy_after_build(
    app: str, namespace: str | None, cluster: str | None, *, title: str, target: str
) -> Plan:
    """The step "deploy the image the build before produces", shown in the plan as such."""
    params = {"app": app, "namespace": namespace, "cluster": cluster}
    return Plan(action=DEPLOY_BUILT, params=params, title=title, target=target)
