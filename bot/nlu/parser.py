"""`parse`: one chat message (and the channel's previous command) -> an `Intent`.

It wires the steps together: normalise, read numbers and keys, choose the intent, read its
slots, resolve the app, apply context. It calls nothing outside the process and keeps no state
beyond the catalog's caches, so the same input always gives the same intent.
"""

from __future__ import annotations

import re

from bot.intents import Intent, IntentName
from bot.nlu import slots
from bot.nlu.apps import AppCatalog, AppMatch
from bot.nlu.context import APP_INTENTS, fill_from_previous, follow_up, refers_back
from bot.nlu.grammar import classify, create_issue_match, issue_type_of
from bot.nlu.normalize import Text, Token, prepare, strip_particle
from bot.nlu.suggest import ranked_commands, typo_command

_JIRA_WORDS = re.compile(
    r"(?<![a-z])(?:issue|ticket|jira|story|bug|task|assign|move|mark)(?![a-z])|이슈|티켓|할당|담당"
)
_NAMESPACED = frozenset(
    {
        IntentName.SCALE,
        IntentName.RESTART,
        IntentName.ROLLBACK,
        IntentName.DEPLOY,
        IntentName.STATUS,
        IntentName.LOGS,
        IntentName.HISTORY,
    }
)
# Never glued into a two-word app name ("to cart" is not an app called to-cart).
_NO_JOIN = frozenset({"to", "in", "on", "of", "the", "a", "an", "for", "and", "from", "at", "by"})

_ABOUT_AN_APP = (IntentName.STATUS, IntentName.LOGS, IntentName.HISTORY)

Span = tuple[int, int]


def _overlaps(token: Token, spans: list[Span]) -> bool:
    return any(token.start < end and start < token.end for start, end in spans)


def pick_app(
    text: Text, catalog: AppCatalog, consumed: list[Span]
) -> tuple[AppMatch | None, set[str]]:
    """The app the text names, and the words that named it.

    A known app (exact, alias, typo) beats a word that matches none; among unknown words
    the first app-like one is passed through as written.
    """
    known: list[tuple[float, int, AppMatch, set[str]]] = []
    unknown: list[tuple[int, AppMatch, set[str]]] = []
    tokens = text.tokens
    skip_next = False
    for index, token in enumerate(tokens):
        if skip_next:
            skip_next = False
            continue
        if _overlaps(token, consumed):
            continue
        if token.hangul:
            match = catalog.resolve(token.text) or catalog.resolve(strip_particle(token.text))
            if match is not None and match.known:
                known.append((match.score, index, match, {token.text}))
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if (
            following is not None
            and not following.hangul
            and token.text not in _NO_JOIN
            and following.text not in _NO_JOIN
            and not text.low[token.end : following.start].strip()
            and not _overlaps(following, consumed)
        ):
            joined = catalog.resolve(f"{token.text}-{following.text}")
            if joined is not None and joined.known and joined.score >= 90:
                known.append((joined.score, index, joined, {token.text, following.text}))
                skip_next = True
                continue
        # "payment's logs": the possessive is not part of the name.
        match = catalog.resolve(token.text.removesuffix("'s"))
        if match is None:
            continue
        if match.known:
            known.append((match.score, index, match, {token.text}))
        else:
            unknown.append((index, match, {token.text}))
    if known:
        _score, _index, best, words = max(known, key=lambda item: (item[0], -item[1]))
        return best, words
    if unknown:
        _index, first, words = unknown[0]
        return first, words
    return None, set()


def _found_span(found: slots.Found | None) -> list[Span]:
    return [(found.start, found.end)] if found is not None else []


def _app_command(
    name: IntentName,
    text: Text,
    catalog: AppCatalog,
    replicas: int | None,
    delta: int | None,
) -> Intent:
    consumed: list[Span] = []
    cluster = namespace = version = branch = None
    if name in _NAMESPACED:
        cluster = slots.cluster(text.low)
        consumed += _found_span(cluster)
        namespace = slots.namespace(
            text.low,
            skip=cluster,
            is_app=catalog.is_known,
            deploy_target=name is IntentName.DEPLOY,
        )
        consumed += _found_span(namespace)
    if name is IntentName.DEPLOY:
        version = slots.version(text.raw)
        consumed += _found_span(version)
    if name is IntentName.BUILD:
        branch = slots.branch(text.raw)
        consumed += _found_span(branch)
    app, _words = pick_app(text, catalog, consumed)
    return Intent(
        name,
        language=text.language,
        app=app.name if app else None,
        app_known=app.known if app else True,
        replicas=replicas if name is IntentName.SCALE else None,
        delta=delta if name is IntentName.SCALE else None,
        revision=slots.revision(text.num) if name is IntentName.ROLLBACK else None,
        version=version.value if version else None,
        branch=branch.value if branch else None,
        lines=slots.log_lines(text.num) if name is IntentName.LOGS else None,
        namespace=namespace.value if namespace else None,
        cluster=cluster.value if cluster else None,
    )


def _command(
    name: IntentName,
    text: Text,
    catalog: AppCatalog,
    issue: slots.Found | None,
    replicas: int | None,
    delta: int | None,
) -> Intent:
    language = text.language
    if name in APP_INTENTS:
        return _app_command(name, text, catalog, replicas, delta)
    if name is IntentName.CREATE_ISSUE:
        match = create_issue_match(text.low, language)
        if match is None:
            return Intent(name, language=language, summary=slots.summary(text.raw, 0, 0, language))
        group = "type" if match.group("type") else "type2"
        return Intent(
            name,
            language=language,
            issue_type=issue_type_of(match),
            summary=slots.summary(text.raw, match.start(group), match.end(), language),
        )
    if name is IntentName.TRANSITION:
        return Intent(
            name,
            language=language,
            issue=issue.value if issue else None,
            status=slots.transition_status(text.raw, text.low, issue),
        )
    if name is IntentName.ASSIGN:
        return Intent(
            name,
            language=language,
            issue=issue.value if issue else None,
            assignee=slots.assignee(text.raw, issue),
        )
    if name is IntentName.AUDIT:
        app, _words = pick_app(text, catalog, _found_span(issue))
        return Intent(
            name,
            language=language,
            app=app.name if app else None,
            app_known=app.known if app else True,
        )
    if name is IntentName.SILENCE:
        found = slots.alert(text.raw)
        return Intent(
            name,
            language=language,
            alert=found.value if found else None,
            duration=slots.duration(text.num),
        )
    return Intent(name, language=language)


def parse(text: str, catalog: AppCatalog, previous: Intent | None = None) -> Intent:
    """The command `text` asks for. `previous` is the channel's last understood command."""
    prepared = prepare(text)
    language = prepared.language
    if not prepared.tokens:
        return Intent(IntentName.UNKNOWN, language=language)
    back = refers_back(prepared)
    issue = slots.issue_key(prepared.raw, lenient=bool(_JIRA_WORDS.search(prepared.low)))
    if issue is not None and catalog.is_known(issue.value.lower()):
        issue = None
    replicas, delta = slots.scale_numbers(prepared.num)
    app, app_words = pick_app(prepared, catalog, _found_span(issue))
    has_app = (app is not None and app.known) or (back and previous is not None)
    name = classify(
        prepared.num,
        language,
        has_app=has_app,
        has_number=replicas is not None or delta is not None,
        has_issue=issue is not None or (back and previous is not None and bool(previous.issue)),
    )
    if name is None:
        namespace = slots.namespace(prepared.low, skip=None, is_app=catalog.is_known)
        version = slots.version(prepared.raw)
        later = follow_up(
            prepared,
            previous,
            replicas=replicas,
            delta=delta,
            app=app,
            app_words=app_words if app is not None and app.known else set(),
            namespace=namespace,
            version=version,
        )
        if later is not None:
            return later
        guess = typo_command(prepared) if app is not None and app.known else None
        if guess is None:
            suggestions = ranked_commands(prepared)
            if not suggestions and app is not None and app.known and app.score >= 85:
                # Only an app was named: offer what people most often ask about one.
                suggestions = _ABOUT_AN_APP
            return Intent(IntentName.UNKNOWN, language=language, suggestions=suggestions)
        name = guess
    intent = _command(name, prepared, catalog, issue, replicas, delta)
    return fill_from_previous(intent, previous, back=back)
