"""A team's cluster named by a bare word is the cluster; a namespace is one when written as one
or known to exist; a word that is both is left for a question."""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu import AppCatalog, missing_slots, parse, question_key

APPS = ["payment", "cart"]
TEAM = AppCatalog.from_names(APPS, clusters=["prod", "sandbox"])
NO_CLUSTERS = AppCatalog.from_names(APPS)
BOTH = AppCatalog.from_names(APPS, clusters=["prod"], namespaces=["prod", "payments"])


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("scale payment to 3 in prod", {"cluster": "prod", "namespace": None}),
        ("restart cart on sandbox", {"cluster": "sandbox", "namespace": None}),
        ("payment prod에서 재시작해줘", {"cluster": "prod", "namespace": None}),
        ("deploy cart 1.0.0 to prod", {"cluster": "prod", "namespace": None}),
        ("scale payment to 3 in namespace prod", {"cluster": None, "namespace": "prod"}),
        ("restart payment -n prod", {"cluster": None, "namespace": "prod"}),
        ("prod 네임스페이스의 cart 재시작", {"cluster": None, "namespace": "prod"}),
        ("restart cart in staging", {"cluster": None, "namespace": "staging"}),
        ("restart cart in staging on prod", {"cluster": "prod", "namespace": "staging"}),
        ("restart cart on the gke-tokyo cluster", {"cluster": "gke-tokyo", "namespace": None}),
    ],
)
def test_team_clusters(text: str, want: dict[str, Any]) -> None:
    got = parse(text, TEAM).to_json()
    assert {key: got.get(key) for key in want} == want, got


def test_without_configured_clusters_an_environment_word_stays_a_namespace() -> None:
    got = parse("scale payment to 3 in prod", NO_CLUSTERS)
    assert (got.cluster, got.namespace) == (None, "prod")


def test_a_known_namespace_is_read_by_its_bare_name() -> None:
    got = parse("restart cart in payments", BOTH)
    assert (got.app, got.namespace, got.cluster) == ("cart", "payments", None)


def test_a_word_naming_both_a_cluster_and_a_namespace_is_asked_about() -> None:
    intent = parse("restart cart in prod", BOTH)
    assert (intent.cluster, intent.namespace, intent.cluster_or_namespace) == (None, None, "prod")
    assert intent.to_json()["cluster_or_namespace"] == "prod"
    assert missing_slots(intent) == ("cluster_or_namespace",)
    assert question_key(intent) == "nlu_ask_cluster_or_namespace"


def test_written_forms_settle_the_question() -> None:
    assert parse("restart cart in namespace prod", BOTH).namespace == "prod"
    assert parse("restart cart on the prod cluster", BOTH).cluster == "prod"
