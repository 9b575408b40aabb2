"""The team's apps, and how a word someone typed maps to one of them (typos, case, aliases).

A word far from every known app stays what it was: it is never forced onto another app, so
the command can answer "no app X" instead of acting on the wrong one. The catalog also holds
the cluster and namespace names the team has, so "in prod" can name a cluster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.nlu.lexicon import NOT_APP_NAMES

_APP_LIKE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SHAPE_NOT_APP = re.compile(
    r"^(?:\d+|v?\d+(?:\.\d+)+.*|x\d+|\d+x|\d+(?:\.\d+)?[smhdw]|(?:\d+[smhdw])+|[a-z]{1,3}-\d+)$"
)
_SEPARATORS = re.compile(r"[\s_]+")


@dataclass(frozen=True, slots=True)
class AppMatch:
    """`known` is False when `name` is the word as written, matching no app closely enough.

    `guessed` is True when a known `name` was chosen as the closest to a mistyped word
    ("paymnet"), not read exactly, by alias, by case or by spacing.
    """

    name: str
    known: bool
    score: float
    guessed: bool = False


def _canonical_form(word: str) -> str:
    return _SEPARATORS.sub("-", word.strip().lower()).strip("-")


def _compact(word: str) -> str:
    return word.replace("-", "").replace(".", "")


def _allowed_edits(length: int) -> int:
    # Short names tolerate less: "cart" vs "care" is another word, not a typo.
    if length <= 4:
        return 0
    if length <= 5:
        return 1
    if length <= 10:
        return 2
    return 3


def _is_transposition(a: str, b: str) -> bool:
    """ "crat" for "cart": two neighbouring letters swapped, the one typo short names allow."""
    if len(a) != len(b) or len(a) < 3:
        return False
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and a[diff[0]] == b[diff[1]]
        and a[diff[1]] == b[diff[0]]
    )


@dataclass(frozen=True, eq=False)
class AppCatalog:
    """Canonical app names plus aliases (alias -> canonical), with per-word results cached.

    `clusters` and `namespaces` are the target names the team has (lower case); a bare word
    that is one of them names that target ("in prod").
    """

    names: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    clusters: frozenset[str] = frozenset()
    namespaces: frozenset[str] = frozenset()
    _cache: dict[str, AppMatch | None] = field(default_factory=dict, repr=False, init=False)
    _name_set: frozenset[str] = field(default=frozenset(), repr=False, init=False)
    _alias_index: dict[str, str] = field(default_factory=dict, repr=False, init=False)
    _compact_index: dict[str, str] = field(default_factory=dict, repr=False, init=False)

    def __post_init__(self) -> None:
        # Built once: a catalog is reused for every message of a team.
        aliases = {
            _canonical_form(alias): _canonical_form(target)
            for alias, target in self.aliases.items()
        }
        object.__setattr__(self, "_name_set", frozenset(self.names))
        object.__setattr__(self, "_alias_index", aliases)
        object.__setattr__(self, "_compact_index", {_compact(n): n for n in self.names})

    @classmethod
    def from_names(
        cls,
        names: Iterable[str],
        aliases: Mapping[str, str] | None = None,
        *,
        clusters: Iterable[str] = (),
        namespaces: Iterable[str] = (),
    ) -> AppCatalog:
        """The catalog for these names; the same names give the same (cached) catalog object."""
        alias_items = tuple(sorted((aliases or {}).items()))
        return _catalog(
            tuple(dict.fromkeys(_canonical_form(n) for n in names if n)),
            alias_items,
            _target_names(clusters),
            _target_names(namespaces),
        )

    def is_cluster(self, word: str) -> bool:
        return word in self.clusters

    def is_namespace(self, word: str) -> bool:
        return word in self.namespaces

    def resolve(self, word: str) -> AppMatch | None:
        """The app `word` names; `known=False` when it is app-like but close to no app.

        None when the word is not app-like at all (a number, a version, an ordinary word).
        """
        key = word.strip().lower()
        if key in self._cache:
            return self._cache[key]
        result = self._resolve(key)
        if len(self._cache) < 4096:
            self._cache[key] = result
        return result

    def is_known(self, word: str) -> bool:
        match = self.resolve(word)
        return match is not None and match.known

    def suggest(self, word: str, limit: int = 3) -> list[str]:
        """The known names closest to `word`, best first; empty when none is remotely close."""
        if not self.names:
            return []
        found = process.extract(
            _canonical_form(word), self.names, scorer=fuzz.WRatio, limit=limit, score_cutoff=50
        )
        if not found:
            return []
        # Offer only names about as close as the best: "paymnt-gw" suggests payment, not cart.
        best = found[0][1]
        return [name for name, score, _index in found if score >= best - 10]

    def _resolve(self, key: str) -> AppMatch | None:
        if key in self._alias_index:
            return AppMatch(self._alias_index[key], True, 100.0)
        form = _canonical_form(key)
        if form in self._name_set:
            return AppMatch(form, True, 100.0)
        if form in self._alias_index:
            return AppMatch(self._alias_index[form], True, 100.0)
        if not _APP_LIKE.match(form) or form in NOT_APP_NAMES or _SHAPE_NOT_APP.match(form):
            return None
        if len(form) < 2:
            return None
        compact = _compact(form)
        if compact in self._compact_index:
            return AppMatch(self._compact_index[compact], True, 95.0)
        if form.endswith("s") and form[:-1] in self._name_set:  # "carts", "the payments"
            return AppMatch(form[:-1], True, 95.0)
        for name, distance, _index in process.extract(
            form, self.names, scorer=OSA.distance, score_cutoff=3, limit=3
        ):
            # Both lengths bound the edits, so a long word never collapses onto a short name.
            if distance <= _allowed_edits(min(len(form), len(name))) or (
                distance == 1 and _is_transposition(form, name)
            ):
                score = round(100.0 * (1 - distance / len(form)), 1)
                return AppMatch(name, True, score, guessed=True)
        # "order" for order-service: the leading part of exactly one name is that name.
        if len(form) >= 4:
            owners = [n for n in self.names if n.split("-")[0] == form]
            if len(owners) == 1:
                return AppMatch(owners[0], True, 70.0, guessed=True)
        nearest = process.extractOne(form, self.names, scorer=fuzz.ratio)
        return AppMatch(form, False, float(nearest[1]) if nearest else 0.0)


def _target_names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(n.strip().lower() for n in names if n and n.strip())


@lru_cache(maxsize=64)
def _catalog(
    names: tuple[str, ...],
    alias_items: tuple[tuple[str, str], ...],
    clusters: frozenset[str],
    namespaces: frozenset[str],
) -> AppCatalog:
    return AppCatalog(
        names=names, aliases=dict(alias_items), clusters=clusters, namespaces=namespaces
    )
