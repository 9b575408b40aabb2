"""One clause (a whole message, or one step of a sequence) -> the `Intent` it asks for.

It reads numbers and keys, chooses the intent, reads its slots, resolves the app, applies
context, and last applies the safety rule (`safety`), so a change is returned only when the
whole clause asks for it. It keeps no state, so the same input always gives the same intent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.intents import Intent, IntentName
from bot.nlu import markers, safety, slots
from bot.nlu.app_in_text import AppPick, Span, pick_app
from bot.nlu.apps import AppCatalog
from bot.nlu.context import APP_INTENTS, fill_from_previous, follow_up, refers_back
from bot.nlu.grammar import classify, create_issue_match, issue_type_of
from bot.nlu.normalize import Text
from bot.nlu.suggest import ranked_commands, typo_command
from bot.nlu.targets import read_targets

_JIRA_WORDS = re.compile(
    r"(?<![a-z])(?:issue|ticket|jira|story|bug|task|assign|move|mark)(?![a-z])|이슈|티켓|할당|담당"
)
_TARGETED = frozenset(
    {
        IntentName.SCALE,
        IntentName.RESTART,
        IntentName.ROLLBACK,
        IntentName.DEPLOY,
        IntentName.STATUS,
        IntentName.LOGS,
        IntentName.HISTORY,
        IntentName.DIAGNOSE,
    }
)
_ABOUT_AN_APP = (IntentName.STATUS, IntentName.LOGS, IntentName.HISTORY)


@dataclass(frozen=True, slots=True)
class Reading:
    """What one clause says: `command` as the words name it, `intent` after the safety rule.

    `verb` is False when no command word chose the intent (a follow-up such as "cart to 5",
    or nothing understood); `negated` when the clause holds a negation, whatever its intent.
    """

    command: Intent
    intent: Intent
    verb: bool
    negated: bool
    pick: AppPick | None


def _span(found: slots.Found | None) -> list[Span]:
    return [(found.start, found.end)] if found is not None else []


def _inside(pick: AppPick, spans: list[Span]) -> bool:
    return any(pick.start < end and start < pick.end for start, end in spans)


def _version_for_rollback(raw: str) -> slots.Found | None:
    # "roll back to 1.0.0" names a tag; "to version 3" or "to 3" still names a revision.
    found = slots.version(raw)
    return None if found is None or found.value.isdigit() else found


def _app_command(
    name: IntentName,
    text: Text,
    catalog: AppCatalog,
    replicas: int | None,
    delta: int | None,
    first: AppPick | None,
) -> tuple[Intent, AppPick | None, list[Span]]:
    consumed: list[Span] = []
    changes: dict[str, object] = {}
    if name in _TARGETED:
        targets = read_targets(text, catalog, deploy_target=name is IntentName.DEPLOY)
        consumed += targets.spans()
        for slot in ("cluster", "namespace"):
            found = getattr(targets, slot)
            changes[slot] = found.value if found else None
        changes["cluster_or_namespace"] = targets.either.value if targets.either else None
    version = None
    if name is IntentName.DEPLOY:
        version = slots.version(text.raw)
    elif name is IntentName.ROLLBACK:
        version = _version_for_rollback(text.raw)
        changes["revision"] = slots.revision(text.num) if version is None else None
    consumed += _span(version)
    if name is IntentName.BUILD:
        branch = slots.branch(text.raw)
        consumed += _span(branch)
        changes["branch"] = branch.value if branch else None
    if name is IntentName.SCALE:
        changes.update(replicas=replicas, delta=delta)
    if name is IntentName.LOGS:
        changes["lines"] = slots.log_lines(text.num)
    if first is not None and first.match.known and not _inside(first, consumed):
        pick: AppPick | None = first  # the best known app stays the best with fewer words
    else:
        pick = pick_app(text, catalog, consumed)
    intent = Intent(
        name,
        language=text.language,
        app=pick.match.name if pick else None,
        app_known=pick.match.known if pick else True,
        app_guessed_from=pick.guessed_from(text) if pick else None,
        version=version.value if version else None,
        **changes,  # type: ignore[arg-type]
    )
    return intent, pick, consumed


def _command(
    name: IntentName,
    text: Text,
    catalog: AppCatalog,
    issue: slots.Found | None,
    numbers: tuple[int | None, int | None],
    first: AppPick | None,
) -> tuple[Intent, AppPick | None, list[Span]]:
    """The intent `name` with its slots read, the app's words, and the places slots took.

    `first` is the app picked before any slot was read, reused when no slot took its words.
    """
    language = text.language
    spans = _span(issue)
    if name in APP_INTENTS:
        replicas, delta = numbers
        intent, pick, consumed = _app_command(name, text, catalog, replicas, delta, first)
        return intent, pick, spans + consumed
    if name is IntentName.CREATE_ISSUE:
        match = create_issue_match(text.low, language)
        if match is None:
            summary = slots.summary(text.raw, 0, 0, language)
            return Intent(name, language=language, summary=summary), None, spans
        group = "type" if match.group("type") else "type2"
        return (
            Intent(
                name,
                language=language,
                issue_type=issue_type_of(match),
                summary=slots.summary(text.raw, match.start(group), match.end(), language),
            ),
            None,
            spans,
        )
    if name is IntentName.TRANSITION:
        status = slots.transition_status(text.raw, text.low, issue)
        issue_key = issue.value if issue else None
        return Intent(name, language=language, issue=issue_key, status=status), None, spans
    if name is IntentName.ASSIGN:
        assignee = slots.assignee(text.raw, issue)
        issue_key = issue.value if issue else None
        return Intent(name, language=language, issue=issue_key, assignee=assignee), None, spans
    if name is IntentName.AUDIT:
        pick = first
        return (
            Intent(
                name,
                language=language,
                app=pick.match.name if pick else None,
                app_known=pick.match.known if pick else True,
                app_guessed_from=pick.guessed_from(text) if pick else None,
            ),
            pick,
            spans,
        )
    if name in (IntentName.SILENCE, IntentName.UNSILENCE):
        found = slots.alert(text.raw)
        duration = slots.duration(text.num) if name is IntentName.SILENCE else None
        alert = found.value if found else None
        return Intent(name, language=language, alert=alert, duration=duration), None, spans
    return Intent(name, language=language), None, spans


def _command_words(text: Text, command: Intent | None) -> str:
    """The words of the request: a new issue's summary is the issue's, not part of it."""
    summary = command.summary if command is not None else None
    if not summary:
        return text.low
    at = text.low.find(summary.lower())
    return text.low if at < 0 else text.low[:at] + " " + text.low[at + len(summary) :]


def _guarded(command: Intent, words: str, negated: bool, unclear: tuple[str, ...]) -> Intent:
    if not command.mutating and not negated:
        return command  # the rule guards changes; a read-only answer harms nothing
    return safety.guard(
        command,
        negated=negated,
        about_the_past=markers.asks_about_the_past(words),
        unclear=unclear,
        about_now=markers.asks_how_it_stands(words),
    )


def _unknown(text: Text, pick: AppPick | None, negated: bool) -> Reading:
    suggestions = ranked_commands(text)
    if not suggestions and pick is not None and pick.match.known and pick.match.score >= 85:
        # Only an app was named: offer what people most often ask about one.
        suggestions = _ABOUT_AN_APP
    intent = Intent(IntentName.UNKNOWN, language=text.language, suggestions=suggestions)
    return Reading(intent, intent, verb=False, negated=negated, pick=pick)


def read_clause(text: Text, catalog: AppCatalog, previous: Intent | None) -> Reading:
    """The command `text` asks for; `previous` is the command said before it, if any."""
    language = text.language
    if not text.tokens:
        intent = Intent(IntentName.UNKNOWN, language=language)
        return Reading(intent, intent, verb=False, negated=False, pick=None)
    back = refers_back(text)
    issue = slots.issue_key(text.raw, lenient=bool(_JIRA_WORDS.search(text.low)))
    if issue is not None and catalog.is_known(issue.value.lower()):
        issue = None
    replicas, delta = slots.scale_numbers(text.num)
    pick = pick_app(text, catalog, _span(issue))
    names_app = pick is not None and pick.match.known
    name = classify(
        text.num,
        language,
        has_app=names_app or (back and previous is not None),
        has_number=replicas is not None or delta is not None,
        has_issue=issue is not None or (back and previous is not None and bool(previous.issue)),
        names_app=names_app,
    )
    if name is None:
        words = text.low
        negated = markers.negated(words)
        later = follow_up(
            text,
            previous,
            catalog=catalog,
            replicas=replicas,
            delta=delta,
            pick=pick,
            namespace=slots.namespace(text.low, is_app=catalog.is_known),
            version=slots.version(text.raw),
        )
        if later is not None:
            intent = _guarded(later, words, negated, ())
            return Reading(later, intent, verb=False, negated=negated, pick=pick)
        name = typo_command(text) if names_app else None
        if name is None:
            return _unknown(text, pick, negated)
    command, pick, spans = _command(name, text, catalog, issue, (replicas, delta), pick)
    command = fill_from_previous(command, previous, back=back, catalog=catalog)
    words = _command_words(text, command)
    negated = markers.negated(words, whole=text.low)
    unclear = safety.leftovers(text, command, catalog, pick, spans)
    intent = _guarded(command, words, negated, unclear)
    return Reading(command, intent, verb=True, negated=negated, pick=pick)
