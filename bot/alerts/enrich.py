"""The seam for enrichment: what an on-call engineer looks at first, added to the living message.

An `Enricher` looks at a group once its message is open (after Alertmanager has its answer,
never before) and returns an `Enrichment`: fields, a few lines, buttons, pictures. It is
stored on the group under its `source` and shown from the next render on; calling it again
replaces that block. None are built in here: the deployment status, events, logs, the last
change with a Roll back button (`enrich_kubernetes`), the SLO's budget (`enrich_slo`) and the
Prometheus graph (`enrich_graph`) plug in through `LivingMessages`' `enrichers`, as
`enrich_sources.alert_enrichers` lists them. An enricher may be slow and may fail; neither
holds up or breaks the message.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import update
from sqlmodel import col

from bot.logs import get_logger
from bot.messages import Button, Field, Image
from bot.store import Store
from bot.store.alert_tables import AlertGroup

if TYPE_CHECKING:
    from bot.alerts.render import GroupView

log = get_logger(__name__)


@dataclass(frozen=True)
class Enrichment:
    """One block of context about a group, from one `source` ("kubernetes", "graph", …)."""

    source: str
    text: str | None = None
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    images: tuple[Image, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "text": self.text,
            "fields": [{"label": f.label, "value": f.value} for f in self.fields],
            "buttons": [
                {"label": b.label, "action": b.action, "value": b.value, "style": b.style}
                for b in self.buttons
            ],
            "images": [
                {"title": i.title, "alt": i.alt, "png": base64.b64encode(i.png).decode("ascii")}
                for i in self.images
            ],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Enrichment:
        return cls(
            source=str(data.get("source", "")),
            text=data.get("text"),
            fields=tuple(Field(str(f["label"]), str(f["value"])) for f in data.get("fields", [])),
            buttons=tuple(
                Button(
                    str(b["label"]), str(b["action"]), str(b["value"]), b.get("style", "default")
                )
                for b in data.get("buttons", [])
            ),
            images=tuple(
                Image(str(i["title"]), base64.b64decode(i["png"]), str(i.get("alt", "")))
                for i in data.get("images", [])
            ),
        )


class Enricher(Protocol):
    """Context for a group; None when it has nothing to add (the alert names no Deployment)."""

    def __call__(self, view: GroupView) -> Enrichment | None: ...


def enrichments_of(stored: Mapping[str, Any]) -> tuple[Enrichment, ...]:
    """The blocks stored on a group, in the order their sources were first added."""
    blocks = []
    for data in stored.values():
        if isinstance(data, Mapping):
            try:
                blocks.append(Enrichment.from_json(data))
            except (KeyError, TypeError, ValueError):
                continue  # a block an older or newer Kuber wrote differently: leave it out
    return tuple(blocks)


def save_enrichment(
    store: Store, group_id: int, enrichment: Enrichment, *, episode: int | None = None
) -> None:
    """Keep `enrichment` on the group and have its message edited to show it; with `episode`,
    only while the group is still in that episode (a slow enricher's news of an episode that
    ended meanwhile is dropped, not shown on the next one's message)."""
    with store.session() as session:
        # The write comes first: it takes the row (PostgreSQL) or the database (SQLite), so
        # two enrichers saving at once cannot lose each other's block.
        bump = update(AlertGroup).where(col(AlertGroup.id) == group_id)
        if episode is not None:
            bump = bump.where(col(AlertGroup.episode) == episode)
        bumped = session.exec(
            bump.values(version=AlertGroup.version + 1, updated_at=datetime.now(UTC))
        )
        if not bumped.rowcount:
            return
        group = session.get(AlertGroup, group_id, populate_existing=True)
        assert group is not None
        group.enrichment = {**group.enrichment, enrichment.source: enrichment.to_json()}
        session.add(group)


def run_enrichers(
    store: Store,
    group_id: int,
    view: GroupView,
    enrichers: Sequence[Enricher],
    *,
    episode: int | None = None,
) -> int:
    """Run every enricher on `view` and store what they found; how many added a block.

    Each is saved as soon as it is found, so a quick block is shown while a slow one (a graph)
    is still being drawn; one that fails is logged and the others go on.
    """
    added = 0
    for enricher in enrichers:
        try:
            found = enricher(view)
        except Exception:
            log.exception("alert enricher failed", group_id=group_id)
            continue
        if found is None:
            continue
        try:
            save_enrichment(store, group_id, found, episode=episode)
        except Exception:
            log.exception("alert enrichment not saved", group_id=group_id, source=found.source)
            continue
        added += 1
    return added
