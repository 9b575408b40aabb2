"""Where a command acts: the cluster and the namespace, told apart by how the text names them.

A word is a cluster when written as one ("on the prod cluster", "prod 클러스터") or when it is
one of the team's clusters ("in prod", "prod에서"); a namespace when written as one
("namespace x", "-n x", "x 네임스페이스"), when it is one of the team's namespaces, or when a
common environment name stands where a namespace goes ("to staging") and no cluster has that
name. A word that is both a team cluster and a team namespace is left for a question.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.nlu import slots
from bot.nlu.apps import AppCatalog
from bot.nlu.normalize import Text
from bot.nlu.slots import Found


@dataclass(frozen=True, slots=True)
class Targets:
    cluster: Found | None = None
    namespace: Found | None = None
    #: A word naming both a team cluster and a team namespace: ask which one is meant.
    either: Found | None = None

    def spans(self) -> list[tuple[int, int]]:
        found = (self.cluster, self.namespace, self.either)
        return [(f.start, f.end) for f in found if f is not None]


def _team_word(
    text: Text, names: frozenset[str], taken: tuple[Found, ...], catalog: AppCatalog
) -> Found | None:
    """The first word of the text that is one of `names`, outside `taken` and not exactly an
    app's name or alias (a near miss such as "payments" for payment loses to a real name)."""
    if not names:
        return None
    for token in text.tokens:
        if token.text not in names or any(f.start <= token.start < f.end for f in taken):
            continue
        app = catalog.resolve(token.text)
        if app is None or not app.known or app.score < 100:
            return Found(token.text, token.start, token.end)
    return None


def read_targets(text: Text, catalog: AppCatalog, *, deploy_target: bool = False) -> Targets:
    """The cluster and namespace the text names, as `Found` places so no app is read there."""
    cluster = slots.cluster(text.low)
    taken: tuple[Found, ...] = (cluster,) if cluster is not None else ()
    either = None
    if cluster is None:
        team_cluster = _team_word(text, catalog.clusters, taken, catalog)
        if team_cluster is not None:
            written = slots.written_namespace(text.low, skip=taken)
            # "namespace prod" is written as a namespace, so that word is not the cluster.
            if written is None or written.start != team_cluster.start:
                if written is None and catalog.is_namespace(team_cluster.value):
                    either = team_cluster
                else:
                    cluster = team_cluster
            taken = tuple(f for f in (cluster, either) if f is not None)
    namespace = slots.namespace(
        text.low,
        skip=taken,
        is_app=catalog.is_known,
        deploy_target=deploy_target,
        not_namespace=catalog.is_cluster,
    )
    if namespace is None and either is None:
        namespace = _team_word(text, catalog.namespaces, taken, catalog)
    return Targets(cluster, namespace, either)
