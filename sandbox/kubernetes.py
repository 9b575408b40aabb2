"""A Kubernetes API server small enough to start in a test, faithful enough for kubectl and the
official python client: discovery, OpenAPI v3, the kinds of kubernetes_resources with every
verb they advertise, patches, paged lists, watches, tables and logs.

This module is the HTTP face only: it wires routes to handlers and answers in the API's
shapes. The verbs live in kubernetes_crud; what objects do over time (rollouts, pods starting,
crashing, namespaces emptying) is the controller's business.
"""

from __future__ import annotations

import copy
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .http import Request, Response, SandboxServer
from .kubernetes_controller import ClusterController
from .kubernetes_crud import ResourceApi, decode_body, dry_run, truthy
from .kubernetes_discovery import api_group, api_group_list, api_versions, resource_list
from .kubernetes_errors import (
    STATUS_REASONS,
    ApiError,
    bad_request,
    conflict,
    forbidden,
    invalid,
    method_not_supported,
    not_found,
    status_failure,
    unsupported_media,
)
from .kubernetes_impersonation import Refusal, impersonation_headers, impersonation_of
from .kubernetes_logs import stream_log
from .kubernetes_openapi import group_version_document, group_version_of, index
from .kubernetes_patch import PatchError, apply_patch, patch_kind
from .kubernetes_pods import LogUnavailable, pod_log
from .kubernetes_resources import (
    BY_PLURAL,
    GROUP_VERSIONS,
    PODS,
    RESOURCES,
    SERVER_VERSION,
    ResourceKind,
)
from .kubernetes_seed import seed as seed_cluster
from .kubernetes_seed import seed_bare
from .kubernetes_selectors import selector_to_string
from .kubernetes_state import cluster_state
from .kubernetes_store import ObjectStore

Obj = dict[str, Any]

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
    namespace, resource, name, sub = (
        match["namespace"],
        match["resource"],
        match["name"],
        match["sub"],
    )
    if namespace and name is None and resource not in BY_PLURAL:
        # /api/v1/namespaces/NAME/status: a namespace's subresource, not a resource in it.
        namespace, resource, name, sub = None, "namespaces", namespace, resource
    if request.method == "GET":
        verb = "get" if name else ("watch" if truthy(request.arg("watch")) else "list")
    else:
        verb = {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(request.method, "")
        if request.method == "DELETE":
            verb = "delete" if name else "deletecollection"
        verb = verb or request.method.lower()
    return ApiCall(
        verb=verb,
        resource=resource,
        group=match["group"] or "",
        namespace=namespace,
        name=name,
        subresource=sub,
    )


def _api(handler: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Turn ApiError into the API's Status answer."""

    def wrapped(request: Request) -> Response:
        try:
            return handler(request)
        except ApiError as exc:
            return Response(exc.code, exc.status())

    return wrapped


def _found(document: Obj | None) -> Response:
    if document is None:
        message = "the server could not find the requested resource"
        return Response(404, status_failure(404, "NotFound", message, {}))
    return Response(body=document)


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
        history: int = 50_000,
        refusals: Iterable[Refusal] = (),
    ) -> None:
        super().__init__(host, port)
        self.cluster_name = cluster_name
        # Whom RBAC-shaped faults name, and whom a request not impersonating anyone is from.
        self.user = user
        #: What RBAC does not allow whom: the only authorization the sandbox does.
        self.refusals: list[Refusal] = list(refusals)
        # `history`: how many changes back watches and paged lists reach (etcd's compaction).
        self.store = ObjectStore(seed=cluster_name, history=history)
        self.controller = ClusterController(self.store, pod_start_delay=pod_start_delay, tick=tick)
        self.api = ResourceApi(self.store)
        self._local = threading.local()
        if seed:
            seed_cluster(self.store, self.controller)
        else:
            seed_bare(self.store, self.controller)
        self._add_routes()

    # -- life ------------------------------------------------------------------------------
    def start(self, poll_interval: float = 0.02) -> KubernetesSandbox:
        super().start(poll_interval)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
        self.store.close()  # wakes watches and log streams so they finish
        super().stop()

    def __enter__(self) -> KubernetesSandbox:
        return self.start()

    # -- routes ----------------------------------------------------------------------------
    def _add_routes(self) -> None:
        route = self.route
        route("GET", "/version", lambda _r: Response(body=SERVER_VERSION))
        route("GET", "/api", lambda _r: Response(body=api_versions(self.url.split("//")[1])))
        route("GET", "/apis", lambda _r: Response(body=api_group_list()))
        route("GET", "/api/v1", lambda _r: _found(resource_list("v1")))
        route("GET", "/apis/{group}", lambda r: _found(api_group(r.params["group"])))
        route(
            "GET",
            "/apis/{group}/{version}",
            lambda r: _found(resource_list(f"{r.params['group']}/{r.params['version']}")),
        )
        route("GET", "/openapi/v3", lambda _r: Response(body=index(GROUP_VERSIONS)))
        route("GET", "/openapi/v3/api/v1", self._openapi)
        route("GET", "/openapi/v3/apis/{group}/{version}", self._openapi)
        route("POST", "/_sandbox/refusals", self._add_refusal)
        route("DELETE", "/_sandbox/refusals", self._clear_refusals)
        for res in RESOURCES:
            self._add_resource(res)

    def _add_resource(self, res: ResourceKind) -> None:
        """Route exactly the verbs the table gives `res`: discovery promises no more."""
        api, verbs = self.api, set(res.verbs)
        base = f"/apis/{res.api_version}" if res.group else "/api/v1"
        if res.namespaced:
            collection = f"{base}/namespaces/{{namespace}}/{res.plural}"
            if "list" in verbs:
                self.route("GET", f"{base}/{res.plural}", _api(api.lister(res)))
        else:
            collection = f"{base}/{res.plural}"
        item = f"{collection}/{{name}}"
        handlers: list[tuple[str, str, str, Callable[[Request], Response]]] = [
            ("list", "GET", collection, api.lister(res)),
            ("create", "POST", collection, api.creator(res)),
            ("deletecollection", "DELETE", collection, api.collection_deleter(res)),
            ("get", "GET", item, api.getter(res)),
            ("update", "PUT", item, api.replacer(res)),
            ("patch", "PATCH", item, api.patcher(res)),
            ("delete", "DELETE", item, api.deleter(res)),
        ]
        for verb, method, path, handler in handlers:
            if verb in verbs:
                self.route(method, path, _api(handler))
        if "status" in res.subresources:
            self.route("GET", f"{item}/status", _api(api.getter(res)))
            self.route("PUT", f"{item}/status", _api(api.replacer(res, status=True)))
            self.route("PATCH", f"{item}/status", _api(api.patcher(res, status=True)))
        if "scale" in res.subresources:
            self.route("GET", f"{item}/scale", _api(self._scale_getter(res)))
            self.route("PATCH", f"{item}/scale", _api(self._scale_patcher(res)))
            self.route("PUT", f"{item}/scale", _api(self._scale_replacer(res)))
        if "log" in res.subresources:
            self.route("GET", f"{item}/log", _api(self._pod_log))

    def not_found(self, request: Request) -> Response:
        message = "the server could not find the requested resource"
        return Response(404, status_failure(404, "NotFound", message, {}))

    def _openapi(self, request: Request) -> Response:
        group_version = group_version_of(request.path)
        if group_version not in GROUP_VERSIONS:
            return self.not_found(request)
        assert group_version is not None
        return Response(body=group_version_document(group_version))

    # -- logs ------------------------------------------------------------------------------
    def _pod_log(self, request: Request) -> Response:
        pod = self.api.fetch(PODS, request.params["namespace"], request.params["name"])
        numbers = {}
        for name in ("tailLines", "sinceSeconds", "limitBytes"):
            value = request.arg(name)
            if value is not None and not value.lstrip("-").isdigit():
                raise bad_request(f"invalid {name}: {value}")
            numbers[name] = int(value) if value is not None else None
        now = time.time()
        since = numbers["sinceSeconds"]
        options: dict[str, Any] = {
            "container": request.arg("container"),
            "previous": truthy(request.arg("previous")),
            "tail_lines": numbers["tailLines"],
            "timestamps": truthy(request.arg("timestamps")),
            "since": now - since if since is not None else None,
        }
        clock = self.controller.clock_of(pod)
        try:
            text = pod_log(pod, clock, now, **options)
        except LogUnavailable as exc:
            raise bad_request(str(exc)) from exc
        if numbers["limitBytes"] is not None:
            text = text.encode()[: max(numbers["limitBytes"], 0)].decode("utf-8", "ignore")
        if truthy(request.arg("follow")) and not options["previous"]:
            assert request.handler is not None
            stream_log(
                request.handler, self.store, pod, clock, first=text, cut_at=now, options=options
            )
            return Response(streamed=True)
        return Response(body=text, content_type="text/plain")

    # -- the scale subresource -------------------------------------------------------------
    @staticmethod
    def _scale_of(obj: Obj) -> Obj:
        meta = obj["metadata"]
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                key: meta[key]
                for key in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            },
            "spec": {"replicas": obj["spec"]["replicas"]},
            "status": {
                "replicas": obj.get("status", {}).get("replicas", 0),
                "selector": selector_to_string(obj["spec"].get("selector")),
            },
        }

    def _scale_getter(self, res: ResourceKind) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            obj = self.api.fetch(res, request.params["namespace"], request.params["name"])
            return Response(body=self._scale_of(obj))

        return handle

    def _rescale(
        self, res: ResourceKind, request: Request, change: Callable[[Obj], Obj]
    ) -> Response:
        with self.store.changed:
            current = self.api.fetch(res, request.params["namespace"], request.params["name"])
            scale = change(self._scale_of(current))
            name = current["metadata"]["name"]
            replicas = (scale.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
                error = invalid(
                    res, name, [("spec.replicas", replicas, "must be greater than or equal to 0")]
                )
                error.message = error.message.replace(
                    f"{res.kind}.{res.group}", "Scale.autoscaling"
                )
                raise error
            sent = (scale.get("metadata") or {}).get("resourceVersion")
            if sent and sent != current["metadata"]["resourceVersion"]:
                raise conflict(res, name)
            new = copy.deepcopy(current)
            new["spec"]["replicas"] = replicas
            new["metadata"].pop("resourceVersion", None)
            saved = self.api.save(res, current, new, dry=dry_run(request), status=False)
            return Response(body=self._scale_of(saved))

    def _scale_patcher(self, res: ResourceKind) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            try:
                kind = patch_kind(request.headers.get("content-type"))
            except PatchError as exc:
                raise unsupported_media(str(exc)) from exc
            patch = decode_body(request)

            def change(scale: Obj) -> Obj:
                try:
                    return apply_patch(scale, patch, kind)
                except PatchError as exc:
                    raise ApiError(422, "Invalid", str(exc)) from exc

            return self._rescale(res, request, change)

        return handle

    def _scale_replacer(self, res: ResourceKind) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            body = decode_body(request)
            if not isinstance(body, dict):
                raise bad_request("a Scale must be a JSON object")
            return self._rescale(res, request, lambda _scale: body)

        return handle

    # -- who may: impersonation and refusals -----------------------------------------------
    def refuse(
        self,
        *,
        user: str | None = None,
        group: str | None = None,
        verbs: Iterable[str] | None = None,
        resources: Iterable[str] | None = None,
        namespace: str | None = None,
    ) -> Refusal:
        """Answer 403, as RBAC would, to `user` (or anyone acting in `group`) for `verbs` on
        `resources` in `namespace` (None: all); also `POST /_sandbox/refusals`."""
        refusal = Refusal(
            user=user,
            group=group,
            verbs=tuple(verbs) if verbs is not None else None,
            resources=tuple(resources) if resources is not None else None,
            namespace=namespace,
        )
        with self.lock:
            self.refusals.append(refusal)
        return refusal

    def clear_refusals(self) -> None:
        with self.lock:
            self.refusals.clear()

    def _add_refusal(self, request: Request) -> Response:
        try:
            spec = request.json()
            if not isinstance(spec, dict):
                raise ValueError("a refusal is a JSON object")
            refusal = Refusal.from_json(spec)
        except ValueError as exc:
            return Response(400, {"error": f"bad refusal: {exc}"})
        with self.lock:
            self.refusals.append(refusal)
        return Response(201, {"ok": True, "refusal": refusal.describe()})

    def _clear_refusals(self, _request: Request) -> Response:
        self.clear_refusals()
        return Response(200, {"ok": True})

    def _authorize(self, request: Request) -> Response | None:
        """The API server's answer when the request may not go on, else None."""
        try:
            acting = impersonation_of(request)
        except ApiError as exc:
            return Response(exc.code, exc.status())
        call = parse_call(request)
        if call is None:
            return None  # discovery, OpenAPI and /version: every authenticated user may read
        user, groups = (acting.user, acting.groups) if acting else (self.user, ())
        with self.lock:
            refused = any(
                r.applies(user, groups, call.verb, call.full_resource, call.namespace)
                for r in self.refusals
            )
        if not refused:
            return None
        body = forbidden(
            BY_PLURAL.get(call.resource),
            verb=call.verb,
            user=user,
            resource=call.full_resource,
            group=call.group,
            namespace=call.namespace,
            name=call.name,
        )
        return Response(403, body)

    # -- faults and the journal ------------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        if not request.path.startswith("/_sandbox/"):
            # Authorization comes before the handler, and before any injected fault.
            refused = self._authorize(request)
            if refused is not None:
                return refused
        # fault_body only gets a status code; it finds the request it answers here.
        self._local.request = request
        try:
            response = super().dispatch(request)
        finally:
            self._local.request = None
        if response.status == 405 and "error" in (response.body or {}):
            # A path the API serves, with a verb this resource does not: say so as the API does.
            call = parse_call(request)
            res = BY_PLURAL.get(call.resource) if call else None
            if call is not None and res is not None:
                return Response(405, method_not_supported(res, call.verb).status())
        return response

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
        acting = impersonation_headers(request)
        if acting is not None:
            entry["impersonate"] = acting
        entry.update(super().describe_call(request))
        return entry

    # -- state for tests -------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        with self.lock:
            refusals = [r.describe() for r in self.refusals]
        return {**cluster_state(self.store, self.cluster_name), "refusals": refusals}

    # -- conveniences for tests and the demo -----------------------------------------------
    def deployment(self, name: str, namespace: str = "default") -> Obj | None:
        return self.store.get("Deployment", namespace, name)

    def pods(self, namespace: str = "default", app: str | None = None) -> list[Obj]:
        return [
            pod
            for pod in self.store.select("Pod", namespace)
            if app is None or pod["metadata"].get("labels", {}).get("app") == app
        ]
