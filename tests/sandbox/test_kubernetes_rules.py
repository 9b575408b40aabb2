"""Unit tests of the sandbox's pure rules: patches, selectors, template identity, ages."""

from __future__ import annotations

import pytest

from sandbox.kubernetes_patch import (
    PatchError,
    json_patch,
    merge_patch,
    patch_kind,
    strategic_merge,
)
from sandbox.kubernetes_schema import drop_fields, field_path, shape_of, unknown_fields
from sandbox.kubernetes_selectors import (
    parse_field_selector,
    parse_label_selector,
    selector_to_string,
)
from sandbox.kubernetes_tables import human_duration
from sandbox.kubernetes_workloads import template_hash, template_key

SPEC = {
    "containers": [
        {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]},
        {"name": "sidecar", "image": "proxy:1"},
    ]
}


def test_strategic_merge_as_kubectl_set_image_sends_it() -> None:
    patch = {
        "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
        "containers": [{"name": "sidecar", "image": "proxy:2"}],
    }
    merged = strategic_merge(SPEC, patch)
    assert merged["containers"] == [
        {"name": "app", "image": "app:1", "env": [{"name": "A", "value": "1"}]},
        {"name": "sidecar", "image": "proxy:2"},
    ]
    assert SPEC["containers"][1]["image"] == "proxy:1"  # the input is left alone


def test_strategic_merge_directives() -> None:
    deleted = strategic_merge(SPEC, {"containers": [{"name": "sidecar", "$patch": "delete"}]})
    assert [c["name"] for c in deleted["containers"]] == ["app"]
    env = strategic_merge(
        SPEC, {"containers": [{"name": "app", "env": [{"name": "B", "value": "2"}]}]}
    )
    assert [e["name"] for e in env["containers"][0]["env"]] == ["A", "B"]
    replaced = strategic_merge({"a": {"x": 1, "y": 2}}, {"a": {"$patch": "replace", "z": 3}})
    assert replaced == {"a": {"z": 3}}
    assert strategic_merge({"a": 1, "b": 2}, {"b": None}) == {"a": 1}
    with pytest.raises(PatchError):
        strategic_merge(SPEC, {"containers": [{"image": "no-name"}]})


def test_merge_patch() -> None:
    assert merge_patch({"a": {"b": 1, "c": 2}}, {"a": {"b": None, "d": 3}}) == {
        "a": {"c": 2, "d": 3}
    }
    assert merge_patch({"l": [1, 2]}, {"l": [3]}) == {"l": [3]}


def test_json_patch_operations() -> None:
    doc = {"spec": {"replicas": 2, "template": {"metadata": {}}}, "metadata": {"annotations": {}}}
    out = json_patch(
        doc,
        [
            {"op": "test", "path": "/spec/replicas", "value": 2},
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "add", "path": "/metadata/annotations/a~1b", "value": "x"},
            {"op": "copy", "from": "/spec/replicas", "path": "/metadata/annotations/n"},
            {"op": "remove", "path": "/spec/template/metadata"},
        ],
    )
    assert out == {
        "spec": {"replicas": 3, "template": {}},
        "metadata": {"annotations": {"a/b": "x", "n": 3}},
    }
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "test", "path": "/spec/replicas", "value": 9}])
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "replace", "path": "/spec/missing", "value": 1}])
    with pytest.raises(PatchError):
        json_patch(doc, [{"op": "remove", "path": "/nope"}])


def test_patch_kinds_by_content_type() -> None:
    assert patch_kind("application/strategic-merge-patch+json") == "strategic"
    assert patch_kind("application/merge-patch+json; charset=utf-8") == "merge"
    assert patch_kind("application/json-patch+json") == "json"
    with pytest.raises(PatchError):
        patch_kind("application/apply-patch+yaml")


def test_label_selectors() -> None:
    labels = {"app": "payment", "tier": "web"}
    assert parse_label_selector("app=payment,tier").matches(labels)
    assert parse_label_selector("app in (cart, payment),tier notin (db)").matches(labels)
    assert parse_label_selector("app!=cart,!missing").matches(labels)
    assert not parse_label_selector("app==cart").matches(labels)
    assert not parse_label_selector("!tier").matches(labels)
    assert parse_label_selector("").matches({})
    with pytest.raises(ValueError, match="unable to parse"):
        parse_label_selector("app in")
    spec = {
        "matchLabels": {"app": "x"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["a", "b"]}],
    }
    assert selector_to_string(spec) == "app=x,env in (a,b)"


def test_field_selectors() -> None:
    event = {"metadata": {"name": "e1"}, "involvedObject": {"name": "payment", "kind": "Pod"}}
    assert parse_field_selector("involvedObject.name=payment,involvedObject.kind!=Node").matches(
        event
    )
    assert not parse_field_selector("metadata.name==e2").matches(event)
    with pytest.raises(ValueError, match="invalid field selector"):
        parse_field_selector("nonsense")


def test_template_identity_ignores_empty_fields_and_the_hash() -> None:
    template = {
        "metadata": {"labels": {"app": "x"}},
        "spec": {"containers": [{"name": "x", "image": "x:1"}]},
    }
    from_rollback = {
        "metadata": {
            "labels": {"app": "x", "pod-template-hash": "abc"},
            "annotations": None,
            "creationTimestamp": None,
        },
        "spec": {
            "containers": [
                {"name": "x", "image": "x:1", "resources": {}, "imagePullPolicy": "IfNotPresent"}
            ],
            "securityContext": {},
            "restartPolicy": "Always",
        },
    }
    assert template_key(template) == template_key(from_rollback)
    assert template_hash(template) == template_hash(from_rollback)
    changed = {**template, "spec": {"containers": [{"name": "x", "image": "x:2"}]}}
    assert template_hash(changed) != template_hash(template)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (5, "5s"),
        (119, "119s"),
        (200, "3m20s"),
        (3600, "60m"),
        (4 * 3600 + 60, "4h1m"),
        (30 * 3600, "30h"),
        (3 * 86400 + 3600, "3d1h"),
        (30 * 86400, "30d"),
    ],
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_strategic_merge_of_service_ports_matches_on_port() -> None:
    service = {"spec": {"ports": [{"name": "http", "port": 80}, {"name": "grpc", "port": 90}]}}
    patch = {
        "spec": {
            "$setElementOrder/ports": [{"port": 90}, {"port": 80}],
            "ports": [{"port": 80, "targetPort": 8080}],
        }
    }
    merged = strategic_merge(service, patch)
    assert merged["spec"]["ports"] == [
        {"name": "grpc", "port": 90},
        {"name": "http", "port": 80, "targetPort": 8080},
    ]
    # A container's ports still merge on containerPort.
    pod = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80}]}]}}
    added = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 81}]}]}}
    ports = strategic_merge(pod, added)["spec"]["containers"][0]["ports"]
    assert ports == [{"containerPort": 80}, {"containerPort": 81}]


def test_unknown_fields_are_named_as_the_api_names_them() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x", "lables": {}},
        "spec": {
            "template": {"spec": {"containers": [{"name": "a"}, {"name": "b", "imagee": "x"}]}},
            "replicaz": 1,
        },
        "status": {"anything": "goes"},
    }
    unknown = unknown_fields(deployment, shape_of("Deployment"))
    assert [field_path(path) for path in unknown] == [
        "metadata.lables",
        "spec.template.spec.containers[1].imagee",
        "spec.replicaz",
    ]
    drop_fields(deployment, unknown)
    assert unknown_fields(deployment, shape_of("Deployment")) == []
    assert deployment["spec"]["template"]["spec"]["containers"][1] == {"name": "b"}
