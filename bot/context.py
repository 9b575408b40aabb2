"""What a command handler gets: who asks, where, in which language, and the services to use."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bot.conversation import Conversation
from bot.i18n import translate
from bot.intents import Language
from bot.messages import Actor
from bot.nlu import AppCatalog
from bot.services import Services
from bot.settings import Person, Role, Settings, Team
from bot.store import Store


@dataclass
class CommandContext:
    settings: Settings
    services: Services
    store: Store
    conversation: Conversation
    platform: str
    channel: str
    actor: Actor
    language: Language
    #: The highest role the person holds anywhere; `needs` is checked at the target itself.
    role: Role
    #: The apps Kuber knows, for "no app X; did you mean Y?".
    apps: AppCatalog | None = None
    team: Team | None = None
    #: Who is asking, as kuber.yaml names them; None for someone it does not list.
    person: Person | None = None
    #: The least role the command being run needs at its target (`bot.policy.may_act_on`).
    needs: Role = "viewer"
    #: The message a command may edit to show progress (its plan or its first reply).
    message_ref: str | None = None
    thread: str | None = None
    #: The pending action being applied, when the handler runs after an approval.
    action_id: str | None = None
    #: Set when this replica is stopping: long work (following a rollout) ends early with
    #: `Interrupted` and is taken up again by the next leader.
    interrupt: threading.Event | None = None

    def t(self, key: str, /, **params: object) -> str:
        """The message `key` in the language of the command."""
        return translate(self.language, key, **params)
