"""A Kubernetes API server small enough to start in a test, faithful enough for kubectl and the
official python client: discovery, core/v1 and apps/v1 objects, patches, watches, tables, logs.

This module is the HTTP face only: it parses, validates and answers in the API's shapes. What
objects do over time (rollouts, pods starting, crashing) is the controller's business.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .http import Request, Response, SandboxServer
from .kubernetes_controller import ClusterController, owner_uid, pod_ready
from .kubernetes_patch import PatchError, apply_patch, patch_kind
from .kubernetes_pods import LogUnavailable, pod_log
from .kubernetes_resources import (
    BY_PLURAL,
    DEPLOYMENTS,
    EVENTS,
    NAMESPACES,
    PODS,
    REPLICASETS,
    SERVER_VERSION,
    STATUS_REASONS,
    ApiError,
    ResourceKind,
    already_exists,
    api_group,
    api_group_list,
    api_versions,
    bad_request,
    conflict,
    forbidden,
    invalid,
    not_found,
    resource_list,
    status_failure,
    status_success,
)
from .kubernetes_seed import new_namespace
from .kubernetes_seed import seed as seed_cluster
from .kubernetes_selectors import parse_field_selector, parse_label_selector, selector_to_string
from .kubernetes_store import ObjectStore, rfc3339
from .kubernetes_tables import pod_phase_text, render_table, wants_table
from .kubernetes_watch import stream_watch
from .kubernetes_workloads import (
    REVISION,
    default_deployment,
    revision_of,
    valid_name,
    validate_deployment,
)

Obj = dict[str, Any]
#: A watch without timeoutSeconds ends after this long, like the API's default of 30-60 min.
DEFAULT_WATCH_SECONDS = 1800.0

_API_PATH = re.compile(
    r"^/(?:api/(?P<core>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
    r"(?:/namespaces/(?P<namespace>[^/]+))?/(?P<resource>[^/]+)"
    r"(?:/(?P<name>[^/]+))?(?:/(?P<sub>[^/]+))?$"
)


@dataclass(frozen=True)
class ApiCall:
    """What a request asks of the API, in RBAC's words: verb, resource, namespace, name."""

    verb: str
    resource: str
    group: str
    namespace: str | None
    name: str | None
    subresource: str | None

    @property
    def full_resource(self) -> str:
        return f"{self.resource}/{self.subresource}" if self.subresource else self.resource


def parse_call(request: Request) -> ApiCall | None:
    match = _API_PATH.match(request.path)
    if not match:
        return None
    name = match["name"]
    if request.method == "GET":
        verb = "get" if name else ("watch" if _truthy(request.arg("watch")) else "list")
    else:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(request.method, "")
        if request.method == "DELETE":
            verb = "delete" if name else "deletecollection"
        verb = verb or request.method.lower()
    return ApiCall(
        verb=verb,
        resource=match["resource"],
        group=match["group"] or "",
        namespace=match["namespace"],
        name=name,
        subresource=match["sub"],
    )


def _truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


def _api(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Turn ApiError into the API's Status answer."""

    def wrapped(request: Request) -> Response:
        try:
            return handler(request)
        except ApiError as exc:
            return Response(exc.code, exc.status())

    return wrapped


class KubernetesSandbox(SandboxServer):
    name = "kubernetes"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: bool = True,
        pod_start_delay: float = 0.5,
        tick: float = 0.1,
        cluster_name: str = "sandbox",
        user: str = "kuber",
    ) -> None:
        super().__init__(host, port)
        self.cluster_name = cluster_name
        self.user = user  # whom RBAC-shaped faults name; the sandbox itself checks nobody
        self.store = ObjectStore(seed=cluster_name)
        self.controller = ClusterController(self.store, pod_start_delay=pod_start_delay, tick=tick)
        self._local = threading.local()
        if seed:
            seed_cluster(self.store, self.controller)
        else:
            self.store.create("Namespace", new_namespace("default"))
        self._add_routes()

    # -- life ------------------------------------------------------------------------------
    def start(self, poll_interval: float = 0.02) -> KubernetesSandbox:
        super().start(poll_interval)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
        self.store.close()  # wakes watches so they finish
        super().stop()

    def __enter__(self) -> KubernetesSandbox:
        return self.start()

    # -- routes ----------------------------------------------------------------------------
    def _add_routes(self) -> None:
        route = self.route
        route("GET", "/version", lambda _r: Response(body=SERVER_VERSION))
        route("GET", "/api", lambda _r: Response(body=api_versions(self.url.split("//")[1])))
        route("GET", "/apis", lambda _r: Response(body=api_group_list()))
        route("GET", "/api/v1", lambda _r: Response(body=resource_list("v1")))
        route("GET", "/apis/apps", lambda _r: Response(body=api_group("apps")))
        route("GET", "/apis/apps/v1", lambda _r: Response(body=resource_list("apps/v1")))
        # collections, across namespaces and within one
        for res in (NAMESPACES, PODS, EVENTS, DEPLOYMENTS, REPLICASETS):
            base = f"/apis/{res.api_version}" if res.group else "/api/v1"
            route("GET", f"{base}/{res.plural}", _api(self._lister(res)))
            if res.namespaced:
                collection = f"{base}/namespaces/{{namespace}}/{res.plural}"
                route("GET", collection, _api(self._lister(res)))
                route("GET", f"{collection}/{{name}}", _api(self._getter(res)))
            else:
                route("GET", f"{base}/{res.plural}/{{name}}", _api(self._getter(res)))
        route("POST", "/api/v1/namespaces", _api(self._create_namespace))
        pods = "/api/v1/namespaces/{namespace}/pods/{name}"
        route("DELETE", pods, _api(self._delete_pod))
        route("GET", f"{pods}/log", _api(self._pod_log))
        route("GET", f"{pods}/status", _api(self._getter(PODS)))
        deployments = "/apis/apps/v1/namespaces/{namespace}/deployments"
        route("POST", deployments, _api(self._create_deployment))
        one = f"{deployments}/{{name}}"
        route("PUT", one, _api(self._replace_deployment))
        route("PATCH", one, _api(self._patch_deployment))
        route("DELETE", one, _api(self._deleter(DEPLOYMENTS)))
        route("GET", f"{one}/scale", _api(self._get_scale))
        route("PATCH", f"{one}/scale", _api(self._patch_scale))
        route("PUT", f"{one}/scale", _api(self._replace_scale))
        route("GET", f"{one}/status", _api(self._getter(DEPLOYMENTS)))
        route("PATCH", f"{one}/status", _api(self._patch_deployment_status))
        route("PUT", f"{one}/status", _api(self._replace_deployment_status))
        route(
            "DELETE",
            "/apis/apps/v1/namespaces/{namespace}/replicasets/{name}",
            _api(self._deleter(REPLICASETS)),
        )

    def not_found(self, request: Request) -> Response:
        message = "the server could not find the requested resource"
        return Response(404, status_failure(404, "NotFound", message, {}))

    # -- reading ---------------------------------------------------------------------------
    def _render(self, res: ResourceKind, request: Request, objects: list[Obj], rv: str) -> Obj:
        if wants_table(request.headers.get("accept")):
            include = request.arg("includeObject") or "Metadata"
            return render_table(res, objects, resource_version=rv, include_object=include)
        return {
            "kind": res.list_kind,
            "apiVersion": res.api_version,
            "metadata": {"resourceVersion": rv},
            "items": objects,
        }

    def _lister(self, res: ResourceKind) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            namespace = request.params.get("namespace")
            try:
                labels = parse_label_selector(request.arg("labelSelector"))
                fields = parse_field_selector(request.arg("fieldSelector"))
            except ValueError as exc:
                raise bad_request(str(exc)) from exc

            def matches(obj: Obj) -> bool:
                return labels.matches(obj["metadata"].get("labels")) and fields.matches(obj)

            if _truthy(request.arg("watch")):
                return self._watch(res, request, namespace, matches)
            with self.store.changed:
                objects = [obj for obj in self.store.select(res.kind, namespace) if matches(obj)]
                version = str(self.store.resource_version)
            return Response(body=self._render(res, request, objects, version))

        return handle

    def _watch(
        self,
        res: ResourceKind,
        request: Request,
        namespace: str | None,
        matches: Callable[[Obj], bool],
    ) -> Response:
        assert request.handler is not None
        table = wants_table(request.headers.get("accept"))
        include = request.arg("includeObject") or "Metadata"
        version = request.arg("resourceVersion")
        if version not in (None, "") and not str(version).isdigit():
            raise bad_request(f"invalid resource version: {version}")

        def render(obj: Obj) -> Obj:
            if not table:
                return obj
            rv = obj["metadata"].get("resourceVersion", "")
            return render_table(res, [obj], resource_version=rv, include_object=include)

        timeout = float(request.arg("timeoutSeconds") or DEFAULT_WATCH_SECONDS)
        stream_watch(
            request.handler,
            self.store,
            kind=res.kind,
            namespace=namespace,
            matches=matches,
            render=render,
            resource_version=version,
            timeout=timeout,
        )
        return Response(streamed=True)

    def _fetch(self, res: ResourceKind, namespace: str | None, name: str) -> Obj:
        obj = self.store.get(res.kind, namespace or "", name)
        if obj is None:
            raise not_found(res, name)
        return obj

    def _getter(self, res: ResourceKind) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            obj = self._fetch(res, request.params.get("namespace"), request.params["name"])
            if wants_table(request.headers.get("accept")):
                rv = obj["metadata"]["resourceVersion"]
                include = request.arg("includeObject") or "Metadata"
                return Response(
                    body=render_table(res, [obj], resource_version=rv, include_object=include)
                )
            return Response(body=obj)

        return handle

    def _pod_log(self, request: Request) -> Response:
        pod = self._fetch(PODS, request.params["namespace"], request.params["name"])
        tail = request.arg("tailLines")
        if tail is not None and not tail.lstrip("-").isdigit():
            raise bad_request(f"invalid tailLines: {tail}")
        try:
            text = pod_log(
                pod,
                self.controller.clock_of(pod),
                time.time(),
                container=request.arg("container"),
                previous=_truthy(request.arg("previous")),
                tail_lines=int(tail) if tail is not None else None,
                timestamps=_truthy(request.arg("timestamps")),
            )
        except LogUnavailable as exc:
            raise bad_request(str(exc)) from exc
        return Response(body=text, content_type="text/plain")

    # -- writing ---------------------------------------------------------------------------
    def _body(self, request: Request) -> Any:
        if "protobuf" in request.headers.get("content-type", ""):
            # kubectl's typed generators (`kubectl create deployment`) send protobuf; a real
            # server decodes it, the sandbox says plainly that it does not.
            raise ApiError(
                415,
                "UnsupportedMediaType",
                "the sandbox accepts JSON bodies only, not protobuf; "
                "create objects with `kubectl apply -f` or the API in JSON",
            )
        try:
            return request.json()
        except ValueError as exc:
            raise bad_request(f"the body of the request could not be decoded: {exc}") from exc

    def _require_namespace(self, namespace: str) -> None:
        if self.store.get("Namespace", "", namespace) is None:
            raise not_found(NAMESPACES, namespace)

    def _create_namespace(self, request: Request) -> Response:
        body = self._body(request)
        if not isinstance(body, dict):
            raise bad_request("a Namespace must be a JSON object")
        name = (body.get("metadata") or {}).get("name")
        if not isinstance(name, str) or not valid_name(name):
            raise invalid(
                NAMESPACES,
                str(name),
                [
                    (
                        "metadata.name",
                        name,
                        "a lowercase RFC 1123 "
                        "label must consist of lower case alphanumeric "
                        "characters or '-'",
                    )
                ],
            )
        namespace = new_namespace(name)
        namespace["metadata"]["labels"].update((body.get("metadata") or {}).get("labels") or {})
        with self.store.changed:
            if self.store.get("Namespace", "", name) is not None:
                raise already_exists(NAMESPACES, name)
            if _truthy(request.arg("dryRun")) or request.arg("dryRun") == "All":
                return Response(201, namespace)
            return Response(201, self.store.create("Namespace", namespace))

    def _create_deployment(self, request: Request) -> Response:
        namespace = request.params["namespace"]
        body = self._body(request)
        if not isinstance(body, dict):
            raise bad_request("a Deployment must be a JSON object")
        meta = body.setdefault("metadata", {})
        if meta.get("namespace", namespace) != namespace:
            raise bad_request(
                "the namespace of the provided object does not match the "
                "namespace sent on the request"
            )
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = f"{meta['generateName']}{self.store.random_suffix()}"
        name = str(meta.get("name"))
        for key in ("uid", "resourceVersion", "creationTimestamp", "generation"):
            meta.pop(key, None)
        meta["namespace"] = namespace
        meta["generation"] = 1
        body.update(kind="Deployment", apiVersion="apps/v1", status={})
        default_deployment(body)
        errors = validate_deployment(body)
        if errors:
            raise invalid(DEPLOYMENTS, name, errors)
        with self.store.changed:
            self._require_namespace(namespace)
            if self.store.get("Deployment", namespace, name) is not None:
                raise already_exists(DEPLOYMENTS, name)
            if request.arg("dryRun"):
                return Response(201, body)
            return Response(201, self.store.create("Deployment", body))

    def _store_deployment(self, current: Obj, new: Obj, request: Request, *, status: bool) -> Obj:
        """Validate and save `new` in place of `current`: the one path of every update."""
        name = current["metadata"]["name"]
        meta = new.get("metadata")
        if not isinstance(meta, dict) or not isinstance(new.get("spec"), dict):
            raise invalid(DEPLOYMENTS, name, [("metadata", meta, "Required value")])
        sent_version = meta.get("resourceVersion")
        if sent_version and sent_version != current["metadata"]["resourceVersion"]:
            raise conflict(DEPLOYMENTS, name)
        if meta.get("name", name) != name:
            raise bad_request(
                f"the name of the object ({meta.get('name')}) does not match "
                f"the name on the URL ({name})"
            )
        for key in ("uid", "creationTimestamp", "namespace", "generation", "resourceVersion"):
            if key in current["metadata"]:
                meta[key] = current["metadata"][key]
        meta["name"] = name
        new.update(kind="Deployment", apiVersion="apps/v1")
        if status:
            new["spec"] = current["spec"]
            new["metadata"] = current["metadata"]
        else:
            new["status"] = current.get("status", {})  # the main resource cannot write status
        default_deployment(new)
        errors = validate_deployment(new)
        if new["spec"].get("selector") != current["spec"].get("selector"):
            errors.append(("spec.selector", new["spec"].get("selector"), "field is immutable"))
        if errors:
            raise invalid(DEPLOYMENTS, name, errors)
        if new["spec"] != current["spec"]:
            meta["generation"] = current["metadata"].get("generation", 1) + 1
        if request.arg("dryRun"):
            return new
        return self.store.update("Deployment", new)

    def _patch_deployment(self, request: Request) -> Response:
        return self._patched(request, status=False)

    def _patch_deployment_status(self, request: Request) -> Response:
        return self._patched(request, status=True)

    def _patched(self, request: Request, *, status: bool) -> Response:
        try:
            kind = patch_kind(request.headers.get("content-type"))
        except PatchError as exc:
            raise ApiError(415, "UnsupportedMediaType", str(exc)) from exc
        patch = self._body(request)
        with self.store.changed:
            current = self._fetch(DEPLOYMENTS, request.params["namespace"], request.params["name"])
            try:
                new = apply_patch(current, patch, kind)
            except PatchError as exc:
                raise ApiError(422, "Invalid", str(exc)) from exc
            return Response(body=self._store_deployment(current, new, request, status=status))

    def _replace_deployment(self, request: Request) -> Response:
        return self._replaced(request, status=False)

    def _replace_deployment_status(self, request: Request) -> Response:
        return self._replaced(request, status=True)

    def _replaced(self, request: Request, *, status: bool) -> Response:
        body = self._body(request)
        if not isinstance(body, dict):
            raise bad_request("a Deployment must be a JSON object")
        with self.store.changed:
            current = self._fetch(DEPLOYMENTS, request.params["namespace"], request.params["name"])
            return Response(body=self._store_deployment(current, body, request, status=status))

    # -- scale subresource -----------------------------------------------------------------
    @staticmethod
    def _scale_of(deployment: Obj) -> Obj:
        meta = deployment["metadata"]
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                key: meta[key]
                for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            },
            "spec": {"replicas": deployment["spec"]["replicas"]},
            "status": {
                "replicas": deployment.get("status", {}).get("replicas", 0),
                "selector": selector_to_string(deployment["spec"].get("selector")),
            },
        }

    def _get_scale(self, request: Request) -> Response:
        deployment = self._fetch(DEPLOYMENTS, request.params["namespace"], request.params["name"])
        return Response(body=self._scale_of(deployment))

    def _rescale(self, request: Request, change: Callable[[Obj], Obj]) -> Response:
        with self.store.changed:
            current = self._fetch(DEPLOYMENTS, request.params["namespace"], request.params["name"])
            scale = change(self._scale_of(current))
            name = current["metadata"]["name"]
            replicas = (scale.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                error = invalid(
                    DEPLOYMENTS,
                    name,
                    [("spec.replicas", replicas, "must be greater than or equal to 0")],
                )
                error.message = error.message.replace("Deployment.apps", "Scale.autoscaling")
                raise error
            sent = (scale.get("metadata") or {}).get("resourceVersion")
            if sent and sent != current["metadata"]["resourceVersion"]:
                raise conflict(DEPLOYMENTS, name)
            new = copy.deepcopy(current)
            new["spec"]["replicas"] = replicas
            new["metadata"].pop("resourceVersion", None)
            saved = self._store_deployment(current, new, request, status=False)
            return Response(body=self._scale_of(saved))

    def _patch_scale(self, request: Request) -> Response:
        try:
            kind = patch_kind(request.headers.get("content-type"))
        except PatchError as exc:
            raise ApiError(415, "UnsupportedMediaType", str(exc)) from exc
        patch = self._body(request)

        def change(scale: Obj) -> Obj:
            try:
                return apply_patch(scale, patch, kind)
            except PatchError as exc:
                raise ApiError(422, "Invalid", str(exc)) from exc

        return self._rescale(request, change)

    def _replace_scale(self, request: Request) -> Response:
        body = self._body(request)
        if not isinstance(body, dict):
            raise bad_request("a Scale must be a JSON object")
        return self._rescale(request, lambda _scale: body)

    # -- deleting --------------------------------------------------------------------------
    def _deleter(self, res: ResourceKind) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            namespace, name = request.params["namespace"], request.params["name"]
            with self.store.changed:
                obj = self._fetch(res, namespace, name)
                if not request.arg("dryRun"):
                    # Owned objects go with it: the controller's garbage collector sees to that.
                    self.store.delete(res.kind, namespace, name)
            return Response(body=status_success(res, name, obj["metadata"]["uid"]))

        return handle

    def _delete_pod(self, request: Request) -> Response:
        namespace, name = request.params["namespace"], request.params["name"]
        with self.store.changed:
            pod = self._fetch(PODS, namespace, name)
            if not request.arg("dryRun"):
                self.store.delete("Pod", namespace, name)
        pod["metadata"]["deletionTimestamp"] = rfc3339()
        pod["metadata"]["deletionGracePeriodSeconds"] = 30
        return Response(body=pod)

    # -- faults and the journal ------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        # fault_body only gets a status code; it finds the request it answers here.
        self._local.request = request
        try:
            return super().dispatch(request)
        finally:
            self._local.request = None

    def fault_body(self, status: int) -> Any:
        request: Request | None = getattr(self._local, "request", None)
        call = parse_call(request) if request is not None else None
        res = BY_PLURAL.get(call.resource) if call else None
        if status == 403 and call is not None:
            return forbidden(
                res,
                verb=call.verb,
                user=self.user,
                resource=call.full_resource,
                group=call.group,
                namespace=call.namespace,
                name=call.name,
            )
        if status == 404 and res is not None and call is not None and call.name:
            return not_found(res, call.name).status()
        if status == 409 and res is not None and call is not None and call.name:
            return conflict(res, call.name).status()
        messages = {
            401: "Unauthorized",
            403: "forbidden",
            429: "the server has received too many requests and has asked us to try again later",
            500: "Internal error occurred: injected fault",
            503: "the server is currently unable to handle the request",
            504: "the server was unable to return a response in the time allotted, "
            "but may still be processing the request",
        }
        reason = STATUS_REASONS.get(status, "InternalError" if status >= 500 else "BadRequest")
        return status_failure(status, reason, messages.get(status, f"injected fault {status}"))

    def describe_call(self, request: Request) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        call = parse_call(request)
        if call is not None:
            entry.update(
                verb=call.verb,
                resource=call.full_resource,
                namespace=call.namespace,
                name=call.name,
            )
        if request.method == "PATCH":
            try:
                entry["patch_type"] = patch_kind(request.headers.get("content-type"))
            except PatchError:
                entry["patch_type"] = request.headers.get("content-type")
        entry.update(super().describe_call(request))
        return entry

    # -- state for tests -------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        with self.store.changed:
            namespaces = self.store.select("Namespace")
            deployments = self.store.select("Deployment")
            replica_sets = self.store.select("ReplicaSet")
            pods = self.store.select("Pod")
            version = self.store.resource_version
        return {
            "cluster": self.cluster_name,
            "resourceVersion": version,
            "namespaces": [ns["metadata"]["name"] for ns in namespaces],
            "deployments": [_deployment_summary(d) for d in deployments],
            "replicasets": [_replica_set_summary(rs) for rs in replica_sets],
            "pods": [_pod_summary(p) for p in pods],
        }

    # -- conveniences for tests and the demo -----------------------------------------------
    def deployment(self, name: str, namespace: str = "default") -> Obj | None:
        return self.store.get("Deployment", namespace, name)

    def pods(self, namespace: str = "default", app: str | None = None) -> list[Obj]:
        return [
            pod
            for pod in self.store.select("Pod", namespace)
            if app is None or pod["metadata"].get("labels", {}).get("app") == app
        ]


def _images(template: Obj) -> list[str]:
    return [c.get("image", "") for c in (template.get("spec") or {}).get("containers") or []]


def _deployment_summary(deployment: Obj) -> Obj:
    meta, spec, status = deployment["metadata"], deployment["spec"], deployment.get("status", {})
    conditions = {c["type"]: c for c in status.get("conditions") or []}
    progressing = conditions.get("Progressing", {})
    if spec.get("paused"):
        summary = "paused"
    elif progressing.get("reason") == "ProgressDeadlineExceeded":
        summary = "failed"
    elif progressing.get("reason") == "NewReplicaSetAvailable" and status.get(
        "observedGeneration", 0
    ) >= meta.get("generation", 1):
        summary = "available"
    else:
        summary = "progressing"
    images = _images(spec["template"])
    return {
        "name": meta["name"],
        "namespace": meta["namespace"],
        "replicas": spec["replicas"],
        "ready": status.get("readyReplicas", 0),
        "updated": status.get("updatedReplicas", 0),
        "available": status.get("availableReplicas", 0),
        "image": images[0] if len(images) == 1 else images,
        "revision": revision_of(deployment),
        "generation": meta.get("generation", 1),
        "observedGeneration": status.get("observedGeneration", 0),
        "status": summary,
        "changeCause": (meta.get("annotations") or {}).get("kubernetes.io/change-cause"),
    }


def _replica_set_summary(replica_set: Obj) -> Obj:
    meta = replica_set["metadata"]
    images = _images(replica_set["spec"]["template"])
    return {
        "name": meta["name"],
        "namespace": meta["namespace"],
        "owner": next((r["name"] for r in meta.get("ownerReferences") or []), None),
        "revision": int((meta.get("annotations") or {}).get(REVISION, "0")),
        "replicas": replica_set["spec"]["replicas"],
        "ready": replica_set.get("status", {}).get("readyReplicas", 0),
        "image": images[0] if len(images) == 1 else images,
    }


def _pod_summary(pod: Obj) -> Obj:
    meta = pod["metadata"]
    containers = pod.get("status", {}).get("containerStatuses") or []
    images = _images({"spec": pod["spec"]})
    return {
        "name": meta["name"],
        "namespace": meta["namespace"],
        "app": meta.get("labels", {}).get("app"),
        "owner": owner_uid(pod)
        and next((r["name"] for r in meta.get("ownerReferences") or []), None),
        "status": pod_phase_text(pod),
        "ready": pod_ready(pod),
        "restarts": sum(c.get("restartCount", 0) for c in containers),
        "image": images[0] if len(images) == 1 else images,
    }
