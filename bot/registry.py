"""The command registry: which handler answers which intent, and how help describes it.

Command modules register themselves with `@command(...)` when imported; the core loads them
through the `kuber.commands` entry-point group, so `bot` never imports `commands`. Tests may
build their own `CommandRegistry` and hand it to the dispatcher.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from bot.intents import IntentName

if TYPE_CHECKING:
    from bot.context import CommandContext
    from bot.messages import Reply
    from bot.plans import Plan

Handler = Callable[..., "Reply | Plan"]
Applier = Callable[..., "Reply"]

#: Help groups in the order they are shown.
GROUPS: tuple[str, ...] = ("workloads", "builds", "agile", "alerts", "reliability", "general")


@dataclass(frozen=True)
class CommandSpec:
    intent: IntentName
    handler: Handler
    group: str
    summary: dict[str, str]
    examples: dict[str, tuple[str, ...]]
    #: Accepted keyword arguments of the handler, so unrelated slots are not passed in.
    accepts: frozenset[str] = field(default_factory=frozenset)

    def call(self, ctx: CommandContext, slots: dict[str, Any]) -> Reply | Plan:
        return self.handler(ctx, **{k: v for k, v in slots.items() if k in self.accepts})


@dataclass(frozen=True)
class ApplierSpec:
    action: str
    function: Applier
    accepts: frozenset[str]

    def call(self, ctx: CommandContext, params: dict[str, Any]) -> Reply:
        return self.function(ctx, **{k: v for k, v in params.items() if k in self.accepts})


class CommandRegistry:
    def __init__(self) -> None:
        self._commands: dict[IntentName, CommandSpec] = {}
        self._appliers: dict[str, ApplierSpec] = {}
        self._resumers: dict[str, ApplierSpec] = {}

    def add(self, spec: CommandSpec) -> None:
        if spec.intent in self._commands:
            raise ValueError(f"a handler for {spec.intent} is registered already")
        if spec.group not in GROUPS:
            raise ValueError(f"unknown help group {spec.group!r}")
        self._commands[spec.intent] = spec

    def add_applier(self, spec: ApplierSpec) -> None:
        if spec.action in self._appliers:
            raise ValueError(f"an applier for {spec.action} is registered already")
        self._appliers[spec.action] = spec

    def add_resumer(self, spec: ApplierSpec) -> None:
        if spec.action in self._resumers:
            raise ValueError(f"a resumer for {spec.action} is registered already")
        self._resumers[spec.action] = spec

    def resumer(self, kind: str) -> ApplierSpec | None:
        """What goes on with long work of `kind` (following a rollout) after a restart."""
        return self._resumers.get(kind)

    def get(self, intent: IntentName) -> CommandSpec | None:
        return self._commands.get(intent)

    def applier(self, action: str) -> ApplierSpec | None:
        return self._appliers.get(action)

    def specs(self) -> Iterable[CommandSpec]:
        order = list(IntentName)
        return sorted(
            self._commands.values(), key=lambda s: (GROUPS.index(s.group), order.index(s.intent))
        )

    def command(
        self,
        intent: IntentName,
        *,
        group: str,
        summary_en: str,
        summary_ko: str,
        examples_en: tuple[str, ...] = (),
        examples_ko: tuple[str, ...] = (),
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(
                CommandSpec(
                    intent=intent,
                    handler=handler,
                    group=group,
                    summary={"en": summary_en, "ko": summary_ko},
                    examples={"en": examples_en, "ko": examples_ko},
                    accepts=_keyword_names(handler),
                )
            )
            return handler

        return register

    def applies(self, action: str) -> Callable[[Applier], Applier]:
        def register(function: Applier) -> Applier:
            self.add_applier(ApplierSpec(action, function, _keyword_names(function)))
            return function

        return register

    def resumes(self, kind: str) -> Callable[[Applier], Applier]:
        """Register how to take up work of `kind` that a stopped replica left unfinished."""

        def register(function: Applier) -> Applier:
            self.add_resumer(ApplierSpec(kind, function, _keyword_names(function)))
            return function

        return register


def _keyword_names(function: Callable[..., Any]) -> frozenset[str]:
    parameters = inspect.signature(function).parameters.values()
    return frozenset(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


#: The registry command modules register into when imported.
registry = CommandRegistry()
command = registry.command
applies = registry.applies
resumes = registry.resumes

_loaded = False


def load_commands() -> CommandRegistry:
    """Import every command module named in the `kuber.commands` entry points (once)."""
    global _loaded
    if not _loaded:
        for entry in entry_points(group="kuber.commands"):
            import_module(entry.value)
        _loaded = True
    return registry
