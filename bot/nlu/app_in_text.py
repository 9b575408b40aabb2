"""Which words of a message name the app: a known app (exact, alias, typo) or an app-like word.

It reads tokens only; it never decides the intent. The words it used are returned so later
steps know they are explained and do not read them again as a value.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu.apps import AppCatalog, AppMatch
from bot.nlu.normalize import Text, Token, strip_particle

# Never glued into a two-word app name ("to cart" is not an app called to-cart).
_NO_JOIN = frozenset({"to", "in", "on", "of", "the", "a", "an", "for", "and", "from", "at", "by"})

Span = tuple[int, int]


def _overlaps(token: Token, spans: list[Span]) -> bool:
    return any(token.start < end and start < token.end for start, end in spans)


@dataclass(frozen=True, slots=True)
class AppPick:
    """The app a text names, the words that named it and where they stand in the text."""

    match: AppMatch
    words: frozenset[str]
    start: int
    end: int

    @property
    def span(self) -> Span:
        return (self.start, self.end)

    def guessed_from(self, text: Text) -> str | None:
        """The words as typed when the app is a guess from a typo ("paymnet"), else None."""
        return text.raw[self.start : self.end] if self.match.guessed else None


def pick_app(text: Text, catalog: AppCatalog, consumed: list[Span]) -> AppPick | None:
    """The app the text names, or None.

    A known app (exact, alias, typo) beats a word that matches none; among unknown words
    the first app-like one is passed through as written.
    """
    known: list[tuple[float, int, AppPick]] = []
    unknown: list[AppPick] = []
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
                known.append((match.score, index, _pick(match, token)))
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
                known.append((joined.score, index, _pick(joined, token, following)))
                skip_next = True
                continue
        # "payment's logs": the possessive is not part of the name.
        match = catalog.resolve(token.text.removesuffix("'s"))
        if match is None:
            continue
        if match.known:
            known.append((match.score, index, _pick(match, token)))
        else:
            unknown.append(_pick(match, token))
    if known:
        return max(known, key=lambda item: (item[0], -item[1]))[2]
    return unknown[0] if unknown else None


def _pick(match: AppMatch, first: Token, last: Token | None = None) -> AppPick:
    last = last or first
    words = frozenset({first.text, last.text})
    return AppPick(match, words, first.start, last.end)
