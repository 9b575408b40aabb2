"""The console chat: Kuber in a terminal, against whatever backends are configured.

It doubles as the test backend: a scenario test feeds it text and reads the replies, as a
person would. `--json` prints one object per reply for scripts; `--yes` approves plans.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from bot.dispatch import ActionClick, Dispatcher
from bot.messages import Actor, Incoming, Reply

PLATFORM = "console"
CHANNEL = "console"


@dataclass
class ConsoleConversation:
    """Prints replies; an edit prints the new version, marked as an edit of the old one.

    An ephemeral reply is printed like any other: a terminal has one person at it, the one
    the reply is for, and nobody to hide it from.
    """

    out: IO[str]
    as_json: bool = False
    replies: list[dict[str, Any]] = field(default_factory=list)
    awaiting: list[tuple[str, str, str]] = field(default_factory=list)
    _count: int = 0

    def post(self, reply: Reply) -> str:
        self._count += 1
        ref = f"m{self._count}"
        self._show(ref, reply, edit=False)
        return ref

    def edit(self, ref: str, reply: Reply) -> None:
        self._show(ref, reply, edit=True)

    def _show(self, ref: str, reply: Reply, *, edit: bool) -> None:
        record = {"ref": ref, "edit": edit, **reply.to_json()}
        self.replies.append(record)
        # A plan asks for approval; an offer made with a failure (the one-click rollback) is
        # left for the person to choose, even under --yes.
        if not reply.is_error:
            for button in reply.buttons:
                if button.action == "approve":
                    self.awaiting.append((ref, button.value, reply.language))
        if self.as_json:
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            marker = "  ↻ " if edit else "kuber> "
            self.out.write(marker + reply.as_text().replace("\n", "\n      ") + "\n")
        self.out.flush()


class Console:
    def __init__(
        self,
        dispatcher: Dispatcher,
        actor: Actor,
        *,
        out: IO[str] | None = None,
        as_json: bool = False,
        auto_approve: bool = False,
        ask: IO[str] | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.actor = actor
        self.auto_approve = auto_approve
        self.ask = ask
        self.conversation = ConsoleConversation(out or sys.stdout, as_json)

    def say(self, text: str) -> list[dict[str, Any]]:
        """Send one line as the actor; return the replies it produced (after any approval)."""
        start = len(self.conversation.replies)
        incoming = Incoming(PLATFORM, CHANNEL, self.actor, text)
        self.dispatcher.handle_message(incoming, self.conversation)
        self._settle_plans()
        return self.conversation.replies[start:]

    def click(self, action: str, value: str, ref: str | None = None) -> list[dict[str, Any]]:
        start = len(self.conversation.replies)
        click = ActionClick(PLATFORM, CHANNEL, self.actor, action, value, ref)
        self.dispatcher.handle_action(click, self.conversation)
        self._settle_plans()
        return self.conversation.replies[start:]

    def run(self, lines: Iterable[str]) -> None:
        for line in lines:
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if text in ("exit", "quit", "종료"):
                break
            self.say(text)

    def interactive(self, stdin: IO[str]) -> None:
        out = self.conversation.out
        out.write("Kuber console. Type `help` (or `도움말`); `exit` to leave.\n")
        while True:
            out.write(f"{self.actor.name}> ")
            out.flush()
            line = stdin.readline()
            if not line:
                break
            if line.strip() in ("exit", "quit", "종료"):
                break
            if line.strip():
                self.say(line.strip())

    def _settle_plans(self) -> None:
        """Answer plans only after the dispatcher has stored them, never mid-message.

        With --yes they are approved; at a terminal the person is asked; otherwise they stay
        pending (and expire), as an unanswered plan in a chat channel would.
        """
        while self.conversation.awaiting:
            ref, action_id, language = self.conversation.awaiting.pop(0)
            answer = "approve" if self.auto_approve else self._confirm(language)
            if answer is None:
                if not self.conversation.as_json:
                    self.conversation.out.write(
                        "      (left for approval: run with --yes, or answer at a terminal)\n"
                    )
                continue
            click = ActionClick(PLATFORM, CHANNEL, self.actor, answer, action_id, ref)
            self.dispatcher.handle_action(click, self.conversation)

    def _confirm(self, language: str) -> str | None:
        if self.ask is None or not self.ask.isatty():
            return None
        out = self.conversation.out
        out.write("승인할까요? [y/N] " if language == "ko" else "Approve? [y/N] ")
        out.flush()
        yes = self.ask.readline().strip().lower() in ("y", "yes", "네", "예", "응")
        return "approve" if yes else "cancel"
