"""From an incoming message or button click to replies: the heart of Kuber's message flow.

Text becomes an `Intent`, policy decides, read-only commands answer at once, mutating ones
become a stored plan with Approve/Cancel; an approval runs the plan's applier under a
per-target lock. Every attempt is written to the audit log. It is synchronous on purpose:
servers call it from worker threads, never from the event loop.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot import clarifications
from bot.alerts import handle_alert_click
from bot.approvals import bind_message, create_pending, render_plan
from bot.apps import AppDirectory
from bot.audit import Attempt
from bot.context import CommandContext
from bot.conversation import Conversation
from bot.errors import Interrupted, KuberError, NotAllowed, TemporaryError, UserError
from bot.freeze import active_freeze
from bot.i18n import translate
from bot.intents import Intent, IntentName, Language
from bot.logs import get_logger
from bot.messages import Actor, Button, Incoming, Reply
from bot.nlu import missing_slots, parse, question_key
from bot.plans import Plan
from bot.policy import (
    Decision,
    best_role,
    may_act_on,
    may_approve,
    may_request,
    person_for,
    person_of,
    required_role,
    role_at,
)
from bot.registry import ApplierSpec, CommandRegistry, CommandSpec, load_commands
from bot.sequence_plans import combine, deploy_after_build, steps_of
from bot.services import Services
from bot.settings import Settings
from bot.store import Store
from bot.store.clock import database_now
from bot.store.tables import ChannelContext, CommandRecord, OperationLock, PendingAction
from bot.work_scope import current_key
from integrations.kubernetes_identity import acting_as

log = get_logger(__name__)

#: Beyond the longest a rollout may be followed: a lock outlives its holder only if the
#: holder vanished without releasing it.
LOCK_MARGIN = timedelta(minutes=10)
#: How long a channel's last command stays the meaning of "it" and of a bare answer.
CONTEXT_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class ActionClick:
    """A button click, already verified by the chat adapter."""

    platform: str
    channel: str
    actor: Actor
    action: str
    value: str
    message_ref: str | None = None
    thread: str | None = None


class Dispatcher:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        services: Services | None = None,
        registry: CommandRegistry | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.services = services or Services(settings)
        self.registry = registry or load_commands()
        self.apps = AppDirectory(settings, self.services)
        # Alone (the console), nothing renews a claim: it must outlast the longest rollout.
        self.owner = "local"
        self.claim_ttl = timedelta(seconds=settings.env.rollout_timeout) + LOCK_MARGIN
        #: Set when the process is stopping: long work hands itself back (`Interrupted`).
        self.interrupt = threading.Event()

    def renewed_by(self, owner: str, claim_ttl: float) -> None:
        """From now on plans and locks are claimed as `owner` with short claims, which this
        replica's heartbeat renews; a replica that dies gives its work up within `claim_ttl`."""
        self.owner = owner
        self.claim_ttl = timedelta(seconds=claim_ttl)

    # -- messages --------------------------------------------------------------------------
    def handle_message(self, incoming: Incoming, conversation: Conversation) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=uuid.uuid4().hex[:12],
            platform=incoming.platform,
            channel=incoming.channel,
            actor=incoming.actor.name,
        )
        attempt = Attempt(incoming.platform, incoming.channel, incoming.actor, incoming.text)
        try:
            previous = self._previous_intent(incoming.platform, incoming.channel)
            intent = parse(incoming.text, self.apps.catalog(), previous)
        except Exception as exc:  # a bug of ours or the store: answer, audit, keep serving
            log.exception("could not understand the message")
            conversation.post(_error_reply("en", "internal_error", ref=_request_id()))
            attempt.finish(self.store, "failed", error=repr(exc))
            return
        structlog.contextvars.bind_contextvars(intent=intent.name.value)
        log.info("command received", slots=intent.slots())
        self._run(intent, incoming.text, attempt, conversation, incoming.thread)

    def _run(
        self,
        intent: Intent,
        text: str,
        attempt: Attempt,
        conversation: Conversation,
        thread: str | None,
        message_ref: str | None = None,
    ) -> None:
        attempt.intent = intent.name.value
        ctx = self._context(attempt, conversation, intent.language, thread, message_ref)
        say = _Sayer(ctx, message_ref)
        if intent.name is IntentName.UNKNOWN:
            self._say_unknown(intent, text, attempt, say)
            return
        if intent.name is IntentName.SEQUENCE:
            self._run_sequence(ctx, intent, text, attempt, say)
            return
        if intent.cluster_or_namespace is not None:
            say(clarifications.cluster_or_namespace(ctx.language, intent, text))
            attempt.finish(self.store, "incomplete", error="cluster or namespace")
            return
        spec = self._handler_for(ctx, intent, attempt, say)
        if spec is None:
            return
        ctx.needs = required_role(intent.name.value, mutating=intent.mutating)
        missing = missing_slots(intent)
        if missing:
            say(self._ask_for(ctx, intent, missing[0], text))
            # The answer ("cart") fills this question's slot of this command.
            self._remember(ctx, intent.with_slots(awaiting=missing[0]))
            attempt.finish(self.store, "incomplete", error=f"missing {missing[0]}")
            return
        if intent.mutating and self._over_change_limit(ctx):
            limit = self.settings.config.policy.changes_per_minute
            say(_refusal(ctx.language, "policy_change_limit", ctx.platform, ctx.actor, limit=limit))
            attempt.finish(self.store, "refused", error="change limit")
            return
        self._remember(ctx, intent)
        try:
            # The cluster's own RBAC judges the person too (kuber.yaml `kubernetes:`).
            with acting_as(ctx.person.kubernetes if ctx.person else None):
                result = spec.call(ctx, intent.slots())
        except NotAllowed as exc:
            # Shown to the refused person alone, like every refusal.
            params = exc.params
            say(_refusal(ctx.language, exc.key, ctx.platform, ctx.actor, **params))
            attempt.finish(self.store, "refused", error=str(exc))
            return
        except KuberError as exc:
            say(self._error(ctx, exc, intent, text))
            attempt.finish(self.store, _decision_for(exc), error=str(exc))
            return
        except Exception as exc:  # a bug of ours: answer, log the trace, keep serving
            log.exception("command crashed")
            say(_error_reply(ctx.language, "internal_error", ref=_request_id()))
            attempt.finish(self.store, "failed", error=repr(exc))
            return
        if isinstance(result, Plan):
            attempt.target = result.target
            if intent.app_guessed_from and intent.app:
                guess = ctx.t("plan_app_guessed", app=intent.app, typed=intent.app_guessed_from)
                result = replace(result, notes=(guess, *result.notes))
            self._propose(ctx, result, text, attempt, say)
        else:
            say(result)
            attempt.finish(self.store, "answered", result=result.text)

    def _handler_for(
        self, ctx: CommandContext, intent: Intent, attempt: Attempt, say: _Sayer
    ) -> CommandSpec | None:
        """The command that handles `intent`, if this Kuber has one and the person's role may
        ask for it at all; otherwise say why not, record it, and return None."""
        spec = self.registry.get(intent.name)
        if spec is None:
            say(Reply(ctx.t("not_available", intent=intent.name.value), language=ctx.language))
            attempt.finish(self.store, "unavailable")
            return None
        decision = may_request(ctx.role, intent.name, intent.mutating)
        if not decision.allowed:
            reason = decision.reason or "policy_refused"
            say(_refusal(ctx.language, reason, ctx.platform, ctx.actor, **decision.params))
            attempt.finish(self.store, "refused", error=decision.reason)
            return None
        return spec

    def _say_unknown(self, intent: Intent, text: str, attempt: Attempt, say: _Sayer) -> None:
        """Not an action: a command declined ("don't …"), words left over, or not understood."""
        lang = intent.language
        if intent.negated is not None:
            say(clarifications.declined(lang, intent.negated))
            attempt.finish(self.store, "declined")
        elif intent.unclear or intent.candidate is not None:
            say(clarifications.unclear(lang, intent, text))
            attempt.finish(self.store, "unknown", error=f"unclear: {' '.join(intent.unclear)}")
        else:
            say(self._not_understood(intent))
            attempt.finish(self.store, "unknown")

    def _run_sequence(
        self, ctx: CommandContext, intent: Intent, text: str, attempt: Attempt, say: _Sayer
    ) -> None:
        """Several commands in one message: questions answered in turn, the changes made one
        plan with one approval. Nothing is done unless every step is understood and allowed."""
        wanted: list[tuple[Intent, CommandSpec]] = []
        for index, step in enumerate(intent.steps, 1):
            if step.name in (IntentName.UNKNOWN, IntentName.SEQUENCE) and step.negated is None:
                say(Reply(ctx.t("seq_step_unclear", index=index, text=text), language=ctx.language))
                attempt.finish(self.store, "unknown", error=f"step {index} not understood")
                return
            spec = self._handler_for(ctx, step, attempt, say)
            if spec is None:
                return
            if _deploys_the_build(intent.steps[: index - 1], step):
                wanted.append((step, spec))
                continue
            missing = missing_slots(step)
            if missing and step.negated is None:
                asked = ctx.t(
                    "seq_step_missing", index=index, intent=step.name.value, slot=missing[0]
                )
                say(Reply(asked, language=ctx.language))
                attempt.finish(self.store, "incomplete", error=f"step {index} lacks {missing[0]}")
                return
            if step.negated is None:
                wanted.append((step, spec))
        for step in intent.steps:
            if step.negated is not None:
                say(clarifications.declined(ctx.language, step.negated))
        plans: list[Plan] = []
        try:
            with acting_as(ctx.person.kubernetes if ctx.person else None):
                for index, (step, spec) in enumerate(wanted):
                    ctx.needs = required_role(step.name.value, mutating=step.mutating)
                    result: Reply | Plan
                    if _deploys_the_build([s for s, _ in wanted[:index]], step):
                        result = self._deploy_after_build(ctx, step)
                    else:
                        result = spec.call(ctx, step.slots())
                    if isinstance(result, Plan):
                        plans.append(result)
                    else:
                        say.new(result)
        except NotAllowed as exc:
            say.new(_refusal(ctx.language, exc.key, ctx.platform, ctx.actor, **exc.params))
            attempt.finish(self.store, "refused", error=str(exc))
            return
        except KuberError as exc:
            say.new(self._error(ctx, exc, None))
            attempt.finish(self.store, _decision_for(exc), error=str(exc))
            return
        if not plans:
            attempt.finish(self.store, "answered")
            return
        plan = plans[0] if len(plans) == 1 else combine(plans, ctx.t("seq_title", count=len(plans)))
        attempt.target = plan.target
        self._propose(ctx, plan, text, attempt, say.new)

    def _deploy_after_build(self, ctx: CommandContext, step: Intent) -> Plan:
        """The deploy step of "build payment and deploy it": allowed here and now, its
        version filled in when the build is green."""
        app = step.app or "?"
        config = self.settings.config
        configured = config.app(app)
        namespace = step.namespace or (configured.namespace if configured else None)
        cluster = step.cluster or (configured.cluster if configured else None)
        scope = {"app": app, "cluster": cluster, "namespace": namespace}
        decision = may_act_on(config, ctx.person, "deployer", **scope)
        if not decision.allowed:
            raise NotAllowed(decision.reason or "policy_refused", **decision.params)
        title = ctx.t("seq_deploy_built", app=app)
        return deploy_after_build(app, namespace, cluster, title=title, target=f"{app} (build)")

    # -- plans and approvals ---------------------------------------------------------------
    def _over_change_limit(self, ctx: CommandContext) -> bool:
        """Has this person asked for `policy.changes_per_minute` changes in the last minute?
        Counted from the audit log, so every replica sees the same count."""
        limit = self.settings.config.policy.changes_per_minute
        if limit is None:
            return False
        with self.store.session() as session:
            since = database_now(session) - timedelta(minutes=1)
            asked = session.exec(
                select(func.count())
                .select_from(CommandRecord)
                .where(col(CommandRecord.platform) == ctx.platform)
                .where(col(CommandRecord.actor_id) == ctx.actor.id)
                .where(col(CommandRecord.decision) == "planned")
                .where(col(CommandRecord.at) >= since)
            ).one()
        return int(asked) >= limit

    def _propose(
        self,
        ctx: CommandContext,
        plan: Plan,
        text: str,
        attempt: Attempt,
        say: Callable[[Reply], str],
    ) -> None:
        config = self.settings.config
        # The freeze of the team whose target it is, wherever the change is asked for.
        owners = config.owners(**_scope_of(plan.params))
        teams: list[str | None] = [t.name for t in owners] or [ctx.team.name if ctx.team else None]
        now = datetime.now(UTC)
        cluster = plan.params.get("cluster")
        frozen = next(
            (
                window
                for team in teams
                if (window := active_freeze(config, team=team, cluster=cluster, now=now))
            ),
            None,
        )
        if frozen is not None:
            # Not refused: a freeze makes the change an admin's call, and says why.
            note = ctx.t("plan_frozen", reason=frozen.reason)
            plan = replace(plan, protected=True, notes=(*plan.notes, note))
        # Stored before it is shown: a click can never arrive for a plan we do not have.
        pending = create_pending(ctx, plan, text)
        attempt.pending_action_id = pending.id
        four_eyes = config.policy.four_eyes
        ref = say(render_plan(ctx.language, plan, pending, four_eyes=four_eyes))
        bind_message(ctx, pending, ref)
        attempt.finish(self.store, "planned", result=plan.title)

    def handle_action(self, click: ActionClick, conversation: Conversation) -> None:
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=uuid.uuid4().hex[:12],
            platform=click.platform,
            channel=click.channel,
            actor=click.actor.name,
            action=click.action,
        )
        if handle_alert_click(self, click, conversation):
            return  # an alert message's button: acknowledge, silence, unsilence
        if click.action in ("approve", "cancel"):
            self._decide(click, conversation)
        elif click.action == "fill":
            self._fill(click, conversation)
        else:
            log.warning("unknown button action")
            conversation.post(_error_reply("en", "unknown_action", action=click.action))

    def _may_decide(self, click: ActionClick, pending: PendingAction) -> Decision:
        """May the person clicking approve `pending`? Their role counts at the plan's target
        (an admin of another team is a stranger here), and four-eyes compares people."""
        config = self.settings.config
        approver = person_for(config, click.platform, click.actor)
        for action, params in steps_of(pending.action, dict(pending.params)):
            scope = _scope_of(params)
            needed = required_role(action)
            decision = may_act_on(config, approver, needed, **scope)
            if decision.reason == "policy_needs_role_at":
                return Decision(False, "policy_needs_role_to_approve", {"needed": needed})
            if not decision.allowed:
                return decision
            decision = may_approve(
                config,
                approver_role=role_at(config, approver, **scope) or "viewer",
                approver=person_of(config, click.platform, click.actor.id, click.actor.name),
                requester=person_of(
                    config, pending.platform, pending.requested_by_id, pending.requested_by_name
                ),
                protected=pending.protected,
                action=action,
            )
            if not decision.allowed:
                return decision
        return Decision(True)

    def _fill(self, click: ActionClick, conversation: Conversation) -> None:
        """A clarification button: re-run the stored intent with the chosen slot filled in."""
        try:
            data = json.loads(click.value)
            intent = intent_from_json(data)
        except (ValueError, KeyError, TypeError):
            conversation.post(_error_reply("en", "unknown_action", action=click.action))
            return
        text = str(data.get("text", intent.name.value))
        attempt = Attempt(click.platform, click.channel, click.actor, text)
        self._run(intent, text, attempt, conversation, click.thread, click.message_ref)

    def _decide(self, click: ActionClick, conversation: Conversation) -> None:
        with self.store.session() as session:
            pending = session.get(PendingAction, click.value)
        if pending is None:
            conversation.post(_error_reply("en", "plan_unknown"))
            return
        lang: Language = "ko" if pending.language == "ko" else "en"
        attempt = Attempt(
            click.platform,
            click.channel,
            click.actor,
            f"{click.action}: {pending.text}",
            intent=pending.action,
            target=pending.target,
            pending_action_id=pending.id,
        )
        ref = click.message_ref or pending.message_ref
        if (click.platform, click.channel) != (pending.platform, pending.channel):
            # A plan is decided where it was shown, by those who saw it: a button value
            # replayed from another channel or platform decides nothing.
            conversation.post(_refusal(lang, "plan_other_channel", click.platform, click.actor))
            attempt.finish(self.store, "refused", error="decided from another channel")
            return
        if pending.status != "pending":
            if pending.decided_by_event is not None and pending.decided_by_event == current_key():
                return  # this very click, run again after a crash: its work goes on elsewhere
            who = pending.decided_by_name or "?"
            already = f"plan_already_{pending.status}"
            conversation.post(_refusal(lang, already, click.platform, click.actor, who=who))
            attempt.finish(self.store, "refused", error=f"already {pending.status}")
            return
        if pending.expires_at < datetime.now(UTC):
            self._set_status(pending.id, "expired", click.actor)
            conversation.post(_error_reply(lang, "plan_expired"))
            attempt.finish(self.store, "expired")
            return
        decision = self._may_decide(click, pending)
        # The requester may always withdraw a plan; anyone else needs the right to decide it.
        withdrawing = click.action == "cancel" and click.actor.id == pending.requested_by_id
        if not decision.allowed and not withdrawing:
            reason = decision.reason or "policy_refused"
            conversation.post(
                _refusal(lang, reason, click.platform, click.actor, **decision.params)
            )
            attempt.finish(self.store, "refused", error=decision.reason)
            return
        if click.action == "cancel":
            if self._set_status(pending.id, "cancelled", click.actor):
                cancelled = Reply(
                    translate(lang, "plan_cancelled", who=click.actor.name, title=_title(pending)),
                    language=lang,
                )
                _edit_or_post(conversation, ref, cancelled)
                attempt.finish(self.store, "cancelled")
            else:
                attempt.finish(self.store, "refused", error="decided concurrently")
            return
        holder = self._lock(pending, click.actor)
        if holder is not None and holder.action_id == pending.id:
            # A second click on a plan already being applied.
            who = holder.holder_name
            refusal = _refusal(lang, "plan_already_approved", click.platform, click.actor, who=who)
            conversation.post(refusal)
            attempt.finish(self.store, "refused", error="already approved")
            return
        if holder is not None:
            busy = translate(
                lang,
                "target_busy",
                target=pending.target,
                who=holder.holder_name,
                operation=holder.operation,
            )
            conversation.post(Reply(busy, language=lang, is_error=True))
            attempt.finish(self.store, "refused", error="target busy")
            return
        interrupted = False
        try:
            if not self._set_status(pending.id, "approved", click.actor):
                # Someone else decided in the same instant; their click wins.
                attempt.finish(self.store, "refused", error="decided concurrently")
                return
            self._apply(pending, click, conversation, ref, lang, attempt)
        except Interrupted:
            # Stopping mid-rollout: the plan stays `applying`, its lock stays with it, and the
            # next leader resumes following it.
            interrupted = True
            log.info("handing the rollout over to the next leader", action_id=pending.id)
        finally:
            if not interrupted:
                self._unlock(pending)

    def _apply(
        self,
        pending: PendingAction,
        click: ActionClick,
        conversation: Conversation,
        ref: str | None,
        lang: Language,
        attempt: Attempt,
    ) -> None:
        applying = Reply(
            translate(lang, "plan_applying", who=click.actor.name, title=_title(pending)),
            language=lang,
        )
        ref = _edit_or_post(conversation, ref, applying)
        applier = self.registry.applier(pending.action)
        if applier is None:
            self._set_status(pending.id, "failed", click.actor)
            _edit_or_post(
                conversation, ref, _error_reply(lang, "not_available", intent=pending.action)
            )
            attempt.finish(self.store, "failed", error="no applier")
            return
        attempt.actor = click.actor
        ctx = self._context(attempt, conversation, lang, click.thread or pending.thread, ref)
        ctx.action_id = pending.id
        ctx.interrupt = self.interrupt
        self._finish_plan(pending, ctx, attempt, applier, dict(pending.params))

    def _finish_plan(
        self,
        pending: PendingAction,
        ctx: CommandContext,
        attempt: Attempt,
        run: ApplierSpec,
        params: dict[str, Any],
    ) -> None:
        """Run `run` (an applier, or a resumer) for the plan and record how it ended in the
        plan, its message and the audit log. `Interrupted` passes through untouched."""
        conversation, ref, lang = ctx.conversation, ctx.message_ref, ctx.language
        try:
            # As the person who decided the plan, also when resumed by another replica.
            with acting_as(ctx.person.kubernetes if ctx.person else None):
                reply = run.call(ctx, params)
        except KuberError as exc:
            self._set_status(pending.id, "failed", ctx.actor)
            _edit_or_post(conversation, ref, self._error(ctx, exc, None))
            refused = isinstance(exc, NotAllowed)
            attempt.finish(self.store, "refused" if refused else "failed", error=str(exc))
            return
        except Exception as exc:
            if isinstance(exc, Interrupted):
                raise
            log.exception("applier crashed")
            self._set_status(pending.id, "failed", ctx.actor)
            _edit_or_post(
                conversation, ref, _error_reply(lang, "internal_error", ref=_request_id())
            )
            attempt.finish(self.store, "failed", error=repr(exc))
            return
        self._set_status(pending.id, "failed" if reply.is_error else "done", ctx.actor)
        _edit_or_post(conversation, ref, reply)
        attempt.finish(self.store, "failed" if reply.is_error else "executed", result=reply.text)

    # -- work a stopped replica left -------------------------------------------------------
    def claim_abandoned_plans(self) -> list[PendingAction]:
        """Claim plans whose replica stopped while applying them (their claim expired)."""
        with self.store.session() as session:
            now = database_now(session)
            rows = session.exec(
                select(PendingAction)
                .where(col(PendingAction.status).in_(("approved", "applying")))
                .where(col(PendingAction.claimed_until) < now)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                row.owner = self.owner
                row.claimed_until = now + self.claim_ttl
                session.add(row)
                # The target's lock goes along with the plan to its new owner.
                session.execute(
                    update(OperationLock)
                    .where(col(OperationLock.target) == row.target)
                    .where(col(OperationLock.action_id) == row.id)
                    .values(owner=self.owner, expires_at=now + self.claim_ttl)
                )
            return list(rows)

    def hand_back_plans(self) -> int:
        """Let this replica's claims on plans expire now (at shutdown): the next leader
        resumes them at its next look instead of waiting for the claims to run out."""
        with self.store.session() as session:
            now = database_now(session)
            result = session.execute(
                update(PendingAction)
                .where(col(PendingAction.owner) == self.owner)
                .where(col(PendingAction.status).in_(("approved", "applying")))
                .values(claimed_until=now)
            )
            session.execute(
                update(OperationLock)
                .where(col(OperationLock.owner) == self.owner)
                .values(expires_at=now + self.claim_ttl)
            )
            return int(getattr(result, "rowcount", 0))

    def resume(self, pending: PendingAction, conversation: Conversation) -> None:
        """Take up a plan claimed by `claim_abandoned_plans`: follow its rollout to the end,
        or, when it stopped before the change was known to be made, say so plainly."""
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=uuid.uuid4().hex[:12], action_id=pending.id, resumed=True
        )
        lang: Language = "ko" if pending.language == "ko" else "en"
        actor = Actor(pending.decided_by_id or "?", pending.decided_by_name or "?")
        attempt = Attempt(
            pending.platform,
            pending.channel,
            actor,
            f"resume: {pending.text}",
            intent=pending.action,
            target=pending.target,
            pending_action_id=pending.id,
        )
        follow = pending.follow or {}
        resumer = self.registry.resumer(str(follow.get("kind"))) if follow else None
        interrupted = False
        try:
            if pending.status != "applying" or resumer is None:
                self._set_status(pending.id, "failed", actor)
                reply = _error_reply(lang, "plan_interrupted", title=_title(pending))
                _edit_or_post(conversation, pending.message_ref, reply)
                attempt.finish(self.store, "failed", error="interrupted while applying")
                return
            log.info("resuming a rollout another replica was following")
            thread = follow.get("thread")
            ctx = self._context(
                attempt,
                conversation,
                lang,
                thread if isinstance(thread, str) else pending.thread,
                pending.message_ref,
            )
            ctx.action_id = pending.id
            ctx.interrupt = self.interrupt
            params = follow.get("params")
            self._finish_plan(
                pending, ctx, attempt, resumer, dict(params) if isinstance(params, dict) else {}
            )
        except Interrupted:
            interrupted = True
        finally:
            if not interrupted:
                self._unlock(pending)

    def _set_status(self, action_id: str, status: str, actor: Actor) -> bool:
        """Move a plan on from `pending` (or from being applied), at most once: double
        clicks lose. An approved plan is claimed by this replica while it is applied."""
        deciding = status in ("approved", "cancelled", "expired")
        allowed_from = ("pending",) if deciding else ("approved", "applying")
        values: dict[str, Any] = {"status": status}
        if deciding:
            values |= {
                "decided_by_id": actor.id,
                "decided_by_name": actor.name,
                "decided_at": datetime.now(UTC),
                "decided_by_event": current_key(),
            }
        with self.store.session() as session:
            if status == "approved":
                values |= {
                    "owner": self.owner,
                    "claimed_until": database_now(session) + self.claim_ttl,
                }
            elif not deciding:
                values |= {"owner": None, "claimed_until": None}
            result = session.execute(
                update(PendingAction)
                .where(col(PendingAction.id) == action_id)
                .where(col(PendingAction.status).in_(allowed_from))
                .values(**values)
            )
            moved = bool(getattr(result, "rowcount", 0))
            if moved and status in ("done", "failed"):
                # The app is free the moment its change has ended, in the same transaction:
                # nobody ever sees a finished plan still holding its target.
                session.execute(
                    delete(OperationLock).where(col(OperationLock.action_id) == action_id)
                )
            return moved

    def _lock(self, pending: PendingAction, actor: Actor) -> OperationLock | None:
        """Take the target's lock; return the current holder when someone else has it.

        The primary key makes this atomic across workers and replicas: the insert of the
        second contender fails. A lock past its expiry (its holder died) is taken over.
        """
        for _ in range(3):
            try:
                with self.store.session() as session:
                    now = database_now(session)
                    session.add(
                        OperationLock(
                            target=pending.target,
                            action_id=pending.id,
                            holder_name=actor.name,
                            operation=pending.action,
                            expires_at=now + self.claim_ttl,
                            owner=self.owner,
                        )
                    )
                return None
            except IntegrityError:
                with self.store.session() as session:
                    held = session.get(OperationLock, pending.target)
                    if held is not None and held.expires_at >= now:
                        return held
                    if held is not None:
                        session.delete(held)
        with self.store.session() as session:  # still contended: report whoever holds it now
            return session.get(OperationLock, pending.target)

    def _unlock(self, pending: PendingAction) -> None:
        with self.store.session() as session:
            held = session.get(OperationLock, pending.target)
            if held is not None and held.action_id == pending.id:
                session.delete(held)

    # -- helpers ---------------------------------------------------------------------------
    def _context(
        self,
        attempt: Attempt,
        conversation: Conversation,
        language: Language,
        thread: str | None,
        message_ref: str | None,
    ) -> CommandContext:
        config = self.settings.config
        person = person_for(config, attempt.platform, attempt.actor)
        return CommandContext(
            settings=self.settings,
            services=self.services,
            store=self.store,
            conversation=conversation,
            platform=attempt.platform,
            channel=attempt.channel,
            actor=attempt.actor,
            language=language,
            role=best_role(config, person),
            team=config.team_for_channel(attempt.platform, attempt.channel)
            or (config.teams[0] if len(config.teams) == 1 else None),
            person=person,
            apps=self.apps.catalog(),
            message_ref=message_ref,
            thread=thread,
        )

    def _not_understood(self, intent: Intent) -> Reply:
        lang = intent.language
        examples = []
        for name in intent.suggestions[:3]:
            spec = self.registry.get(name)
            if spec and spec.examples.get(lang):
                examples.append(f"`{spec.examples[lang][0]}`")
        if examples:
            text = translate(lang, "nlu_unknown_suggest", commands=" · ".join(examples))
        else:
            text = translate(lang, "nlu_unknown")
        return Reply(text, language=lang)

    def _ask_for(self, ctx: CommandContext, intent: Intent, slot: str, text: str) -> Reply:
        """One short question for the first missing slot, with likely answers as buttons."""
        apps = list(self.apps.catalog().names)
        choices: list[str | int] = []
        if slot == "app":
            choices = list(apps[:5])
        elif slot in SLOT_CHOICES:
            choices = list(SLOT_CHOICES[slot])
        key = question_key(intent) or "nlu_unknown"
        question = ctx.t(
            key,
            apps=", ".join(apps[:10]) or "-",
            app=intent.app or "?",
            issue=intent.issue or "?",
            issue_type=(intent.issue_type or "issue").lower(),
            alert=intent.alert or "?",
        )
        buttons = _fill_buttons(intent, slot, choices, asked=text)
        return Reply(question, buttons=buttons, language=ctx.language)

    def _error(
        self, ctx: CommandContext, exc: KuberError, intent: Intent | None, asked: str = ""
    ) -> Reply:
        text = ctx.t(exc.key, **exc.params)
        buttons: tuple[Button, ...] = ()
        if isinstance(exc, UserError) and exc.slot and intent is not None and exc.choices:
            buttons = _fill_buttons(intent, exc.slot, list(exc.choices), asked=asked)
        if isinstance(exc, TemporaryError):
            text += "\n" + ctx.t("try_again_later")
        return Reply(text, buttons=buttons, language=ctx.language, is_error=True)

    def _previous_intent(self, platform: str, channel: str) -> Intent | None:
        with self.store.session() as session:
            row = session.get(ChannelContext, (platform, channel))
        if row is None:
            return None
        updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(tzinfo=UTC)
        if datetime.now(UTC) - updated > CONTEXT_LIFETIME:
            return None  # "scale it to 5" an hour later should not mean the app of then
        try:
            return intent_from_json(row.intent)
        except (KeyError, ValueError, TypeError):
            return None

    def forget_context(self, platform: str) -> None:
        """Start every channel of `platform` afresh (a new `kuber demo` session)."""
        with self.store.session() as session:
            session.execute(delete(ChannelContext).where(col(ChannelContext.platform) == platform))

    def _remember(self, ctx: CommandContext, intent: Intent) -> None:
        if intent.name in (IntentName.HELP, IntentName.UNKNOWN):
            return
        with self.store.session() as session:
            row = session.get(ChannelContext, (ctx.platform, ctx.channel))
            if row is None:
                row = ChannelContext(platform=ctx.platform, channel=ctx.channel)
            row.intent = intent.to_json()
            row.updated_at = datetime.now(UTC)
            session.add(row)


class _Sayer:
    """Posts the first reply of a command, or edits `message_ref` when given one."""

    def __init__(self, ctx: CommandContext, message_ref: str | None) -> None:
        self.ctx = ctx
        self.message_ref = message_ref
        self.spoken = False

    def __call__(self, reply: Reply) -> str:
        ref = _edit_or_post(self.ctx.conversation, self.message_ref, reply)
        self.ctx.message_ref = ref
        self.spoken = True
        return ref

    def new(self, reply: Reply) -> str:
        """Like calling it, but a second reply is a message of its own (one per step)."""
        if not self.spoken:
            return self(reply)
        ref = self.ctx.conversation.post(reply)
        self.ctx.message_ref = ref
        return ref


def _edit_or_post(conversation: Conversation, ref: str | None, reply: Reply) -> str:
    if ref is None:
        return conversation.post(reply)
    conversation.edit(ref, reply)
    return ref


#: Likely answers offered as buttons when a command lacks one of these slots.
SLOT_CHOICES: dict[str, tuple[str | int, ...]] = {
    "replicas": (1, 2, 3, 5),
    "status": ("To Do", "In Progress", "Done"),
    "duration": ("30m", "1h", "2h", "1d"),
}


def _fill_buttons(
    intent: Intent, slot: str, choices: Sequence[str | int], *, asked: str
) -> tuple[Button, ...]:
    """Buttons that re-run `intent` with `slot` set; `asked` (the words typed) goes along
    so the audit log shows what the person said, not just what the button filled in."""
    buttons = []
    for choice in choices[:5]:
        filled = intent.with_slots(awaiting=None, cluster_or_namespace=None).to_json()
        filled[slot] = choice
        filled["text"] = f"{asked[:200]} → {choice}"
        if slot == "app":
            filled["app_known"] = True
        buttons.append(Button(str(choice), "fill", json.dumps(filled, ensure_ascii=False)))
    return tuple(buttons)


def intent_from_json(data: dict[str, Any]) -> Intent:
    """An intent from a button's value or stored context; an app there was known."""
    return Intent.from_json({"app_known": True, **data})


def _title(pending: PendingAction) -> str:
    return str(pending.plan.get("title", pending.action))


def _deploys_the_build(before: Sequence[Intent], step: Intent) -> bool:
    """A deploy without a version after a build of the same app deploys what it built."""
    return (
        step.name is IntentName.DEPLOY
        and step.version is None
        and any(s.name is IntentName.BUILD and s.app == step.app for s in before)
    )


def _scope_of(params: dict[str, Any]) -> dict[str, str | None]:
    """The target a plan changes, as `bot.policy` judges it, from the plan's parameters."""

    def text(key: str) -> str | None:
        value = params.get(key)
        return value if isinstance(value, str) else None

    return {"app": text("app"), "cluster": text("cluster"), "namespace": text("namespace")}


def _refusal(lang: Language, key: str, platform: str, actor: Actor, **params: object) -> Reply:
    """A refusal, shown only to the person refused: the channel need not read who may not do
    what (the console is one person's screen)."""
    reply = _error_reply(lang, key, **params)
    if platform == "console":
        return reply
    return replace(reply, ephemeral=True, audience=actor.id)


def _error_reply(lang: Language, key: str, **params: object) -> Reply:
    return Reply(translate(lang, key, **params), language=lang, is_error=True)


def _decision_for(exc: KuberError) -> str:
    """The audit log's word for how a command ended in `exc`: a refusal (by policy, or by the
    cluster's own RBAC for the person) reads as one, not as a mistake or a fault."""
    if isinstance(exc, NotAllowed):
        return "refused"
    return "invalid" if isinstance(exc, UserError) else "failed"


def _request_id() -> str:
    return str(structlog.contextvars.get_contextvars().get("request_id", "?"))
