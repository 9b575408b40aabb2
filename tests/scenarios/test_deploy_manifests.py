"""The shipped manifests: every overlay under deploy/kustomize/overlays builds into objects
`kubectl apply` accepts, runs Kuber as the probes and the database expect, and grants Kuber
exactly the Kubernetes rights its commands use: writes per managed namespace, never
cluster-wide (a missing verb is a 403 in production, an extra one is a door left open)."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml
from kubernetes import client
from sqlalchemy.engine import make_url

from bot.settings import KuberConfig, load_config_file
from integrations.kubernetes_api import IN_CLUSTER
from sandbox.kubernetes import KubernetesSandbox
from sandbox.kubernetes_resources import BY_PLURAL
from tests.scenarios.conftest import Chat

Obj = dict[str, Any]
#: (namespace, or None for every namespace; apiGroup; resource; verb), in RBAC's words.
Right = tuple[str | None, str, str, str]

OVERLAYS = Path(__file__).resolve().parents[2] / "deploy/kustomize/overlays"
#: Found by listing the folder, so a new overlay is tested without editing this file.
OVERLAY_NAMES = sorted(p.name for p in OVERLAYS.iterdir() if (p / "kustomization.yaml").is_file())

RBAC = "rbac.authorization.k8s.io/v1"
#: The kinds an overlay may hold: the apiVersion current clusters serve for each, and the
#: client model whose schema (unknown fields forbidden, required ones required) does offline
#: what `kubectl apply`'s default validation does on the server.
SCHEMAS: dict[str, tuple[str, type[Any]]] = {
    "ConfigMap": ("v1", client.V1ConfigMap),
    "PersistentVolumeClaim": ("v1", client.V1PersistentVolumeClaim),
    "Service": ("v1", client.V1Service),
    "ServiceAccount": ("v1", client.V1ServiceAccount),
    "Deployment": ("apps/v1", client.V1Deployment),
    "PodDisruptionBudget": ("policy/v1", client.V1PodDisruptionBudget),
    "Role": (RBAC, client.V1Role),
    "RoleBinding": (RBAC, client.V1RoleBinding),
    "ClusterRole": (RBAC, client.V1ClusterRole),
    "ClusterRoleBinding": (RBAC, client.V1ClusterRoleBinding),
}
CLUSTER_SCOPED = {"ClusterRole", "ClusterRoleBinding"}
READ_VERBS = {"get", "list", "watch"}
#: What Kuber's commands do through the Kubernetes API, each run once against the sandbox.
COMMANDS = (
    "status",
    "status of payment",
    "logs payment",
    "rollout history of payment",
    "scale payment to 3",
    "restart payment",
    "deploy payment 2.0.0",
    "rollback payment",
)

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


@functools.cache
def built(overlay: str) -> tuple[Obj, ...]:
    result = subprocess.run(
        ["kubectl", "kustomize", str(OVERLAYS / overlay)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{overlay}: {result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def of_kind(objs: Iterable[Obj], kind: str) -> list[Obj]:
    return [obj for obj in objs if obj["kind"] == kind]


def the(objs: Iterable[Obj], kind: str) -> Obj:
    found = of_kind(objs, kind)
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def namespace(obj: Obj) -> str | None:
    found: str | None = obj["metadata"].get("namespace")
    return found


def pod_spec(objs: Iterable[Obj]) -> Obj:
    return dict(the(objs, "Deployment")["spec"]["template"]["spec"])


def kuber_container(objs: Iterable[Obj]) -> Obj:
    containers: list[Obj] = pod_spec(objs)["containers"]
    return next(c for c in containers if c["name"] == "kuber")


def env_var(objs: Iterable[Obj], name: str) -> Obj:
    found: list[Obj] = [e for e in kuber_container(objs).get("env", []) if e["name"] == name]
    assert len(found) == 1, f"{name} is set {len(found)} times in the kuber container"
    return found[0]


def volume_at(objs: Iterable[Obj], path: PurePosixPath) -> Obj:
    """The pod volume mounted nearest above `path`."""
    mounts = [
        m
        for m in kuber_container(objs).get("volumeMounts", [])
        if path.is_relative_to(m["mountPath"])
    ]
    assert mounts, f"nothing is mounted above {path}"
    mount = max(mounts, key=lambda m: len(PurePosixPath(m["mountPath"]).parts))
    return next(v for v in pod_spec(objs)["volumes"] if v["name"] == mount["name"])


def kuber_config(objs: tuple[Obj, ...], tmp_path: Path) -> KuberConfig:
    """kuber.yaml as the pod reads it: from the ConfigMap mounted where KUBER_CONFIG points."""
    path = PurePosixPath(env_var(objs, "KUBER_CONFIG")["value"])
    source = volume_at(objs, path).get("configMap")
    assert source, f"KUBER_CONFIG ({path}) is not on a ConfigMap volume"
    config_map = next(
        c for c in of_kind(objs, "ConfigMap") if c["metadata"]["name"] == source["name"]
    )
    copy = tmp_path / path.name
    copy.write_text(config_map["data"][path.name], encoding="utf-8")
    return load_config_file(copy)


def managed_namespaces(config: KuberConfig) -> set[str]:
    """Where Kuber acts: every team namespace, and any namespace an app names."""
    found = {ns for team in config.teams for ns in team.namespaces}
    return found | {app.namespace for app in config.apps if app.namespace}


def rules(objs: Iterable[Obj], ref: Obj, binding_namespace: str | None) -> list[Obj]:
    kind, name = ref["kind"], ref["name"]
    roles = [
        obj
        for obj in of_kind(objs, kind)
        if obj["metadata"]["name"] == name
        and (kind == "ClusterRole" or namespace(obj) == binding_namespace)
    ]
    assert roles, f"a binding refers to the missing {kind} {name}"
    return list(roles[0].get("rules") or [])


def granted(objs: tuple[Obj, ...]) -> set[Right]:
    """The rights of the service account Kuber's pods run as, from every binding naming it."""
    account = (
        "ServiceAccount",
        namespace(the(objs, "Deployment")),
        pod_spec(objs)["serviceAccountName"],
    )
    rights: set[Right] = set()
    for binding in of_kind(objs, "RoleBinding") + of_kind(objs, "ClusterRoleBinding"):
        subjects = {(s["kind"], s.get("namespace"), s["name"]) for s in binding.get("subjects", [])}
        if account not in subjects:
            continue
        where = namespace(binding) if binding["kind"] == "RoleBinding" else None
        for rule in rules(objs, binding["roleRef"], where):
            rights |= {
                (where, group, resource, verb)
                for group in rule["apiGroups"]
                for resource in rule["resources"]
                for verb in rule["verbs"]
            }
    return rights


def allows(rights: set[Right], need: Right) -> bool:
    """As the API server decides: a cluster-wide grant also covers each namespace."""
    _, group, resource, verb = need
    return need in rights or (None, group, resource, verb) in rights


def test_every_overlay_is_found() -> None:
    assert {"single", "ha"} <= set(OVERLAY_NAMES)


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_the_overlay_builds_into_objects_kubectl_apply_accepts(overlay: str) -> None:
    objs = built(overlay)
    kinds = {obj["kind"] for obj in objs}
    expected = {
        "Deployment",
        "Service",
        "ServiceAccount",
        "ConfigMap",
        "ClusterRole",
        "RoleBinding",
    }
    assert expected <= kinds
    for obj in objs:
        kind, name = obj["kind"], obj["metadata"]["name"]
        assert kind in SCHEMAS, f"{kind} {name}: add its apiVersion and model to SCHEMAS"
        api_version, model = SCHEMAS[kind]
        assert obj["apiVersion"] == api_version, f"{kind} {name}: {obj['apiVersion']}"
        model.model_validate(obj)
        if kind in CLUSTER_SCOPED:
            assert namespace(obj) is None, f"{kind} {name} is cluster-scoped"
        else:
            assert namespace(obj), f"{kind} {name} has no namespace"
    keys = [(o["kind"], namespace(o), o["metadata"]["name"]) for o in objs]
    assert len(keys) == len(set(keys)), "two objects share kind, namespace and name"


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_the_pod_runs_kuber_as_the_probes_and_the_cluster_expect(overlay: str) -> None:
    objs = built(overlay)
    pod, container = pod_spec(objs), kuber_container(objs)
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    # Kuber stops within 20 s of SIGTERM, which comes after preStop: both fit the grace period.
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command")
    pause = int(pre_stop[-1]) if pre_stop and pre_stop[0] == "sleep" else 0
    assert pod["terminationGracePeriodSeconds"] == 30
    assert pause + 20 < pod["terminationGracePeriodSeconds"]

    security = {**pod.get("securityContext", {}), **container.get("securityContext", {})}
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] == 10001  # the uid deploy/Dockerfile creates
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    for mount in container["volumeMounts"]:
        if not mount.get("readOnly"):
            volume = volumes[mount["name"]]
            assert "emptyDir" in volume or "persistentVolumeClaim" in volume, mount
    assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"])

    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"])
    assert {"cpu", "memory"} <= set(resources["limits"])
    _, _, tag = container["image"].rpartition("/")[2].partition(":")
    assert tag, "the overlay pins the image's version"
    assert tag != "latest"
    secrets = [s["secretRef"]["name"] for s in container["envFrom"] if "secretRef" in s]
    assert secrets == ["kuber-secrets"]

    account = the(objs, "ServiceAccount")
    assert account["metadata"]["name"] == pod["serviceAccountName"]
    assert namespace(account) == namespace(the(objs, "Deployment"))
    service = the(objs, "Service")
    labels = the(objs, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_the_overlay_config_loads_and_names_the_namespaces_kuber_may_change(
    overlay: str, tmp_path: Path
) -> None:
    objs = built(overlay)
    config = kuber_config(objs, tmp_path)
    # In a pod Kuber knows one cluster, its own, by this name: any other is unreachable.
    assert env_var(objs, "KUBER_KUBERNETES_IN_CLUSTER")["value"] == "true"
    assert {c.name for c in config.clusters} <= {IN_CLUSTER}
    bound = {where for where, *_ in granted(objs) if where is not None}
    assert bound == managed_namespaces(config), "RoleBindings and kuber.yaml disagree"


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_no_role_grants_a_wildcard_or_writes_cluster_wide(overlay: str) -> None:
    objs = built(overlay)
    for role in of_kind(objs, "Role") + of_kind(objs, "ClusterRole"):
        name = role["metadata"]["name"]
        # An aggregated ClusterRole takes rules from other roles: what it grants is not here.
        assert "aggregationRule" not in role, name
        for rule in role["rules"]:
            assert "nonResourceURLs" not in rule, name
            for key in ("apiGroups", "resources", "verbs", "resourceNames"):
                assert not [v for v in rule.get(key, []) if "*" in v], f"{name}: {key} {rule}"
    for binding in of_kind(objs, "ClusterRoleBinding"):
        for rule in rules(objs, binding["roleRef"], None):
            writes = set(rule["verbs"]) - READ_VERBS
            assert not writes, f"{binding['metadata']['name']} grants {writes} cluster-wide"


def test_single_keeps_one_pod_on_one_sqlite_volume() -> None:
    objs = built("single")
    deployment = the(objs, "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    url = make_url(env_var(objs, "KUBER_DATABASE_URL")["value"])
    assert url.get_backend_name() == "sqlite"
    assert url.database
    database = PurePosixPath(url.database)
    assert database.is_absolute(), "a relative path lands on the read-only root filesystem"
    claim = volume_at(objs, database).get("persistentVolumeClaim")
    assert claim, f"{database} is not on a PersistentVolumeClaim"
    pvc = the(objs, "PersistentVolumeClaim")
    assert pvc["metadata"]["name"] == claim["claimName"]
    assert namespace(pvc) == namespace(deployment)
    assert pvc["spec"]["accessModes"] == ["ReadWriteOnce"]


def test_ha_runs_three_ready_replicas_on_a_shared_database() -> None:
    objs = built("ha")
    deployment = the(objs, "Deployment")
    spec = deployment["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["replicas"] == 3
    # Every replica becomes ready, so a rollout that never lowers capacity still finishes.
    assert spec["strategy"]["type"] == "RollingUpdate"
    assert spec["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": 1}

    budget = the(objs, "PodDisruptionBudget")
    assert namespace(budget) == namespace(deployment)
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    # A budget that allows no disruption would block every node drain.
    assert budget["spec"].get("maxUnavailable", 0) >= 1 or (
        budget["spec"]["minAvailable"] < spec["replicas"]
    )

    spread = spec["template"]["spec"]["topologySpreadConstraints"]
    keys = {c["topologyKey"] for c in spread}
    assert {"kubernetes.io/hostname", "topology.kubernetes.io/zone"} <= keys
    for constraint in spread:
        assert constraint["labelSelector"]["matchLabels"].items() <= labels.items()

    source = env_var(objs, "KUBER_DATABASE_URL")["valueFrom"]["secretKeyRef"]
    assert source == {"name": "kuber-secrets", "key": "KUBER_DATABASE_URL"}, "and not optional"
    # The namespace and the Secret to create first are named at the top of kustomization.yaml.
    header = (
        (OVERLAYS / "ha/kustomization.yaml").read_text(encoding="utf-8").split("\napiVersion")[0]
    )
    assert f"Namespace `{namespace(deployment)}`" in header
    assert f"Secret `{source['name']}`" in header


def test_the_rights_granted_are_exactly_the_calls_the_commands_make(
    chat: Chat, clusters: dict[str, KubernetesSandbox], tmp_path: Path
) -> None:
    for text in COMMANDS:
        chat.say(text)
    calls = [c for c in clusters["sandbox"].state_snapshot()["calls"] if c.get("verb")]
    used = {
        (
            call["namespace"],
            BY_PLURAL[call["resource"].split("/")[0]].group,
            call["resource"],
            call["verb"],
        )
        for call in calls
        if call.get("resource")
    }
    assert any(where is not None for where, *_ in used), "the commands made no Kubernetes calls"
    for overlay in OVERLAY_NAMES:
        objs = built(overlay)
        # What the commands did in the sandbox's namespace, Kuber needs in each it manages.
        needed = {
            (managed if where is not None else None, group, resource, verb)
            for where, group, resource, verb in used
            for managed in managed_namespaces(kuber_config(objs, tmp_path))
        }
        rights = granted(objs)
        missing = sorted((n for n in needed if not allows(rights, n)), key=str)
        unused = sorted(rights - needed, key=str)
        assert missing == [], f"{overlay}: the commands would be refused {missing}"
        assert unused == [], f"{overlay}: granted, but no command in COMMANDS uses {unused}"
