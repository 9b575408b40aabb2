"""What the API server does to an object between decoding and storing it, per kind: fill in
defaults (a Service's cluster IP, a Secret's `stringData`) and refuse what is invalid, with
the field paths and wording of the real validation.

Pure functions of the new object and, on updates, the stored one; no store, no HTTP. A
decoding problem (bad base64) raises ApiError 400; everything else is a list of field errors.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .kubernetes_errors import FieldError, bad_request
from .kubernetes_selectors import selector_from_spec
from .kubernetes_workloads import (
    default_deployment,
    default_pod_template,
    default_replica_set,
    valid_name,
    validate_deployment,
    validate_replica_set,
)

Obj = dict[str, Any]
RBAC_GROUP = "rbac.authorization.k8s.io"

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
SUBDOMAIN_RULE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
    "regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_RULE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_RULE = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
    "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
CONFIG_KEY_RULE = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
    "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)


# -- names --------------------------------------------------------------------------------
def _subdomain(name: str) -> str | None:
    return None if valid_name(name) else SUBDOMAIN_RULE


def _label(name: str) -> str | None:
    return None if len(name) <= 63 and _LABEL.match(name) else LABEL_RULE


def _dns1035(name: str) -> str | None:
    return None if len(name) <= 63 and _DNS1035.match(name) else DNS1035_RULE


def _path_segment(name: str) -> str | None:
    if name in (".", ".."):
        return f"may not be '{name}'"
    for bad in ("/", "%"):
        if bad in name:
            return f"may not contain '{bad}'"
    return None


# -- shared checks ------------------------------------------------------------------------
def validate_metadata(obj: Obj, name_rule: Callable[[str], str | None]) -> list[FieldError]:
    meta = obj.get("metadata") or {}
    errors: list[FieldError] = []
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        errors.append(("metadata.name", name, "Required value"))
    else:
        problem = name_rule(name)
        if problem:
            errors.append(("metadata.name", name, problem))
    for field in ("labels", "annotations"):
        values = meta.get(field)
        if values is None:
            continue
        if not isinstance(values, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            errors.append((f"metadata.{field}", values, "must be a map of strings to strings"))
    return errors


def _immutable(new: Any, old: Any, field: str) -> list[FieldError]:
    return [] if new == old else [(field, new, "field is immutable")]


def _int_or_percent(value: Any, field: str) -> list[FieldError]:
    if isinstance(value, bool):
        return [(field, value, "must be an integer or percentage (e.g '5%')")]
    if isinstance(value, int):
        return [] if value >= 0 else [(field, value, "must be greater than or equal to 0")]
    text = str(value)
    if text.endswith("%") and text[:-1].isdigit():
        percent = int(text[:-1])
        return [] if percent <= 100 else [(field, value, "must be no more than 100%")]
    return [(field, value, "must be an integer or percentage (e.g '5%')")]


def _config_data(obj: Obj, old: Obj | None, fields: tuple[str, ...]) -> list[FieldError]:
    """Keys of ConfigMaps and Secrets, and what `immutable: true` forbids afterwards."""
    errors: list[FieldError] = []
    for field in fields:
        for key in obj.get(field) or {}:
            if not _CONFIG_KEY.match(key):
                errors.append((f"{field}[{key}]", key, CONFIG_KEY_RULE))
    if old is not None and old.get("immutable"):
        for field in (*fields, "immutable"):
            if obj.get(field) != old.get(field):
                errors.append((field, obj.get(field), "field is immutable when `immutable` is set"))
    return errors


def _stable_number(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


# -- per kind -----------------------------------------------------------------------------
def _default_namespace(obj: Obj, _old: Obj | None) -> None:
    name = obj["metadata"].get("name")
    if isinstance(name, str):
        labels = obj["metadata"].setdefault("labels", {})
        if isinstance(labels, dict):
            labels["kubernetes.io/metadata.name"] = name
    obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    obj.setdefault("status", {"phase": "Active"})


def _validate_pod(obj: Obj, old: Obj | None) -> list[FieldError]:
    """Pods are only updated here (ReplicaSets create them): the spec is mostly fixed."""
    if old is None:
        return []

    def fixed(spec: Obj) -> Obj:
        spec = {k: v for k, v in spec.items() if k not in ("activeDeadlineSeconds", "tolerations")}
        for field in ("containers", "initContainers"):
            spec[field] = [
                {k: v for k, v in c.items() if k != "image"} for c in spec.get(field) or []
            ]
        return spec

    if fixed(obj.get("spec") or {}) != fixed(old.get("spec") or {}):
        return [
            (
                "spec",
                None,
                "Forbidden: pod updates may not change fields other than "
                "`spec.containers[*].image`,`spec.initContainers[*].image`,"
                "`spec.activeDeadlineSeconds`,`spec.tolerations` "
                "(only additions to existing tolerations)",
            )
        ]
    return []


def _default_service(obj: Obj, old: Obj | None) -> None:
    spec = obj.setdefault("spec", {})
    old_spec = (old or {}).get("spec") or {}
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    where = f"{obj['metadata'].get('namespace')}/{obj['metadata'].get('name')}"
    if spec["type"] != "ExternalName":
        if not spec.get("clusterIP") and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
        if not spec.get("clusterIP"):
            number = _stable_number(where)
            # 10.96.0.0/16 as kubeadm's service range; .1 and .10 belong to kubernetes and DNS.
            spec["clusterIP"] = f"10.96.{(number >> 8) % 254 + 1}.{number % 250 + 11}"
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
    old_ports = {p.get("port"): p for p in old_spec.get("ports") or [] if isinstance(p, dict)}
    for port in spec.get("ports") or []:
        if not isinstance(port, dict):
            continue
        port.setdefault("protocol", "TCP")
        port.setdefault("targetPort", port.get("port"))
        if spec["type"] in ("NodePort", "LoadBalancer") and not port.get("nodePort"):
            kept = old_ports.get(port.get("port"), {}).get("nodePort")
            port["nodePort"] = kept or 30000 + _stable_number(f"{where}:{port.get('port')}") % 2768
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    obj.setdefault("status", {"loadBalancer": {}})


def _validate_service(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    errors: list[FieldError] = []
    kinds = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
    if spec.get("type") not in kinds:
        supported = ", ".join(f'"{k}"' for k in kinds)
        errors.append(
            ("spec.type", spec.get("type"), f"Unsupported value: supported values: {supported}")
        )
    ports = spec.get("ports") or []
    headless = spec.get("clusterIP") == "None"
    if not ports and spec.get("type") != "ExternalName" and not headless:
        errors.append(("spec.ports", None, "Required value"))
    names = [p.get("name") if isinstance(p, dict) else None for p in ports]
    for i, port in enumerate(ports):
        number = port.get("port") if isinstance(port, dict) else None
        if not isinstance(number, int) or not 1 <= number <= 65535:
            errors.append((f"spec.ports[{i}].port", number, "must be between 1 and 65535"))
        if len(ports) > 1 and not names[i]:
            errors.append((f"spec.ports[{i}].name", None, "Required value"))
    given = [name for name in names if name]
    if len(set(given)) != len(given):
        errors.append(("spec.ports", given, "port names must be unique"))
    if old is not None:
        before = (old.get("spec") or {}).get("clusterIP")
        if before and spec.get("clusterIP") != before:
            errors.append(("spec.clusterIPs[0]", spec.get("clusterIP"), "may not change once set"))
    return errors


def _default_secret(obj: Obj, _old: Obj | None) -> None:
    obj.setdefault("type", "Opaque")
    data = obj.get("data") or {}
    for value in data.values():
        try:
            base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise bad_request(
                f'Secret in version "v1" cannot be handled as a Secret: {exc}'
            ) from exc
    strings = obj.pop("stringData", None) or {}
    for key, value in strings.items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    if data:
        obj["data"] = data


def _validate_secret(obj: Obj, old: Obj | None) -> list[FieldError]:
    errors = _config_data(obj, old, ("data",))
    if old is not None:
        errors += _immutable(obj.get("type"), old.get("type"), "type")
    return errors


def _validate_config_map(obj: Obj, old: Obj | None) -> list[FieldError]:
    return _config_data(obj, old, ("data", "binaryData"))


def _default_claim(obj: Obj, old: Obj | None) -> None:
    obj.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
    if old is None:
        obj["status"] = {"phase": "Pending"}


def _validate_claim(obj: Obj, old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    errors: list[FieldError] = []
    if not spec.get("accessModes"):
        errors.append(("spec.accessModes", None, "Required value"))
    if not ((spec.get("resources") or {}).get("requests") or {}).get("storage"):
        errors.append(("spec.resources[storage]", None, "Required value"))
    if old is not None:
        # Once bound only the requested size may change (volume expansion).
        def fixed(spec: Obj) -> Obj:
            return {k: v for k, v in spec.items() if k not in ("resources", "volumeName")}

        if fixed(spec) != fixed(old.get("spec") or {}):
            errors.append(
                (
                    "spec",
                    None,
                    "Forbidden: spec is immutable after creation except resources.requests "
                    "and volumeAttributesClassName for bound claims",
                )
            )
    return errors


def _default_workload(default: Callable[[Obj], None]) -> Callable[[Obj, Obj | None], None]:
    def apply(obj: Obj, _old: Obj | None) -> None:
        default(obj)

    return apply


def _validate_workload(
    validate: Callable[[Obj], list[FieldError]],
) -> Callable[[Obj, Obj | None], list[FieldError]]:
    def check(obj: Obj, old: Obj | None) -> list[FieldError]:
        errors = validate(obj)
        if old is not None:
            selector = (obj.get("spec") or {}).get("selector")
            errors += _immutable(selector, (old.get("spec") or {}).get("selector"), "spec.selector")
        return errors

    return check


def _validate_budget(obj: Obj, _old: Obj | None) -> list[FieldError]:
    spec = obj.get("spec") or {}
    errors: list[FieldError] = []
    if "minAvailable" in spec and "maxUnavailable" in spec:
        errors.append(("spec", spec, "minAvailable and maxUnavailable cannot be both set"))
    for field in ("minAvailable", "maxUnavailable"):
        if field in spec:
            errors += _int_or_percent(spec[field], f"spec.{field}")
    try:
        selector_from_spec(spec.get("selector"))
    except (ValueError, KeyError, TypeError, AttributeError):
        errors.append(("spec.selector", spec.get("selector"), "invalid label selector"))
    return errors


def _validate_rules(obj: Obj, _old: Obj | None) -> list[FieldError]:
    errors: list[FieldError] = []
    cluster_wide = obj.get("kind") == "ClusterRole"
    for i, rule in enumerate(obj.get("rules") or []):
        where = f"rules[{i}]"
        if not isinstance(rule, dict):
            errors.append((where, rule, "must be an object"))
            continue
        if not rule.get("verbs"):
            errors.append((f"{where}.verbs", None, "Required value"))
        urls = rule.get("nonResourceURLs")
        if urls and not cluster_wide:
            errors.append(
                (
                    f"{where}.nonResourceURLs",
                    urls,
                    "Forbidden: namespaced rules cannot apply to non-resource URLs",
                )
            )
        if urls and (rule.get("resources") or rule.get("apiGroups")):
            errors.append(
                (
                    f"{where}.nonResourceURLs",
                    urls,
                    "Forbidden: rules cannot apply to both regular resources and non-resource URLs",
                )
            )
        if not urls and not rule.get("resources"):
            errors.append((f"{where}.resources", None, "Required value"))
        if not urls and "apiGroups" not in rule:
            errors.append((f"{where}.apiGroups", None, "Required value"))
    return errors


def _default_binding(obj: Obj, _old: Obj | None) -> None:
    for subject in obj.get("subjects") or []:
        if isinstance(subject, dict) and subject.get("kind") in ("User", "Group"):
            subject.setdefault("apiGroup", RBAC_GROUP)


def _validate_binding(obj: Obj, old: Obj | None) -> list[FieldError]:
    errors: list[FieldError] = []
    cluster_wide = obj.get("kind") == "ClusterRoleBinding"
    ref = obj.get("roleRef")
    if not isinstance(ref, dict):
        return [("roleRef", ref, "Required value")]
    allowed = ("ClusterRole",) if cluster_wide else ("Role", "ClusterRole")
    if ref.get("apiGroup") != RBAC_GROUP:
        errors.append(
            (
                "roleRef.apiGroup",
                ref.get("apiGroup"),
                f'Unsupported value: supported values: "{RBAC_GROUP}"',
            )
        )
    if ref.get("kind") not in allowed:
        names = ", ".join(f'"{k}"' for k in allowed)
        errors.append(
            ("roleRef.kind", ref.get("kind"), f"Unsupported value: supported values: {names}")
        )
    if not ref.get("name"):
        errors.append(("roleRef.name", None, "Required value"))
    for i, subject in enumerate(obj.get("subjects") or []):
        where = f"subjects[{i}]"
        kind = subject.get("kind") if isinstance(subject, dict) else None
        if kind not in ("ServiceAccount", "User", "Group"):
            errors.append(
                (
                    f"{where}.kind",
                    kind,
                    'Unsupported value: supported values: "ServiceAccount", "User", "Group"',
                )
            )
            continue
        if not subject.get("name"):
            errors.append((f"{where}.name", None, "Required value"))
        if kind == "ServiceAccount" and cluster_wide and not subject.get("namespace"):
            errors.append((f"{where}.namespace", None, "Required value"))
    if old is not None and old.get("roleRef") != ref:
        errors.append(("roleRef", ref, "cannot change roleRef"))
    return errors


def _nothing(_obj: Obj, _old: Obj | None) -> None:
    return None


def _valid(_obj: Obj, _old: Obj | None) -> list[FieldError]:
    return []


@dataclass(frozen=True)
class Admission:
    name_rule: Callable[[str], str | None] = _subdomain
    default: Callable[[Obj, Obj | None], None] = _nothing
    validate: Callable[[Obj, Obj | None], list[FieldError]] = _valid


def _default_pod(obj: Obj, _old: Obj | None) -> None:
    default_pod_template(obj)


ADMISSION: dict[str, Admission] = {
    "Namespace": Admission(_label, _default_namespace),
    "Pod": Admission(default=_default_pod, validate=_validate_pod),
    "Service": Admission(_dns1035, _default_service, _validate_service),
    "Secret": Admission(default=_default_secret, validate=_validate_secret),
    "ConfigMap": Admission(validate=_validate_config_map),
    "PersistentVolumeClaim": Admission(default=_default_claim, validate=_validate_claim),
    "Deployment": Admission(
        default=_default_workload(default_deployment),
        validate=_validate_workload(validate_deployment),
    ),
    "ReplicaSet": Admission(
        default=_default_workload(default_replica_set),
        validate=_validate_workload(validate_replica_set),
    ),
    "PodDisruptionBudget": Admission(validate=_validate_budget),
    "Role": Admission(_path_segment, validate=_validate_rules),
    "ClusterRole": Admission(_path_segment, validate=_validate_rules),
    "RoleBinding": Admission(_path_segment, _default_binding, _validate_binding),
    "ClusterRoleBinding": Admission(_path_segment, _default_binding, _validate_binding),
}


def admit(kind: str, obj: Obj, old: Obj | None) -> list[FieldError]:
    """Default `obj` in place and return its field errors (none: it may be stored)."""
    admission = ADMISSION.get(kind, Admission())
    errors = validate_metadata(obj, admission.name_rule)
    if errors:
        return errors
    admission.default(obj, old)
    return admission.validate(obj, old)
