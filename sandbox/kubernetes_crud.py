"""The verbs every kind shares: list (paged), get, watch, create, update, patch, delete and
deletecollection, each the same for a ConfigMap as for a Deployment.

What differs by kind comes from the kinds table (scope, status, generation) and from
admission (defaults and validation); what objects do afterwards is the controller's business.
Every write goes through `save` or `create`, so conflicts, field validation and dry runs
behave alike everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .http import Request, Response
from .kubernetes_admission import admit
from .kubernetes_errors import (
    ApiError,
    already_exists,
    bad_request,
    conflict,
    invalid,
    not_found,
    status_success,
    terminating,
    unsupported_media,
)
from .kubernetes_paging import LATEST, cut, decode, expired, object_key, parse_limit
from .kubernetes_patch import PatchError, apply_patch, patch_kind
from .kubernetes_resources import NAMESPACES, ResourceKind
from .kubernetes_schema import drop_fields, field_path, shape_of, unknown_fields
from .kubernetes_selectors import parse_field_selector, parse_label_selector
from .kubernetes_store import ObjectStore, clone, rfc3339
from .kubernetes_tables import render_table, wants_table
from .kubernetes_watch import stream_watch

Obj = dict[str, Any]
Handler = Callable[[Request], Response]
#: A watch without timeoutSeconds ends after this long, like the API's default of 30-60 min.
DEFAULT_WATCH_SECONDS = 1800.0
#: Metadata only the server sets: what a client sends there is ignored.
SERVER_SET = ("uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp")
#: Kinds whose clients may set status on create (a kubelet registering its node does).
STATUS_ON_CREATE = {"Node"}
FIELD_VALIDATION = ("Ignore", "Warn", "Strict")


def truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


def dry_run(request: Request) -> bool:
    return bool(request.arg("dryRun"))


def decode_body(request: Request) -> Any:
    if "protobuf" in request.headers.get("content-type", ""):
        # kubectl's typed generators (`kubectl create deployment`) send protobuf; a real
        # server decodes it, the sandbox says plainly that it does not.
        raise unsupported_media(
            "the sandbox accepts JSON bodies only, not protobuf; "
            "create objects with `kubectl apply -f` or the API in JSON"
        )
    try:
        return request.json()
    except ValueError as exc:
        raise bad_request(f"the body of the request could not be decoded: {exc}") from exc


class Written:
    """Warnings gathered while a write is checked, sent back as `Warning` headers."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def response(self, status: int, body: Obj) -> Response:
        headers = {}
        if self.warnings:
            headers["Warning"] = ", ".join(
                "299 - " + json.dumps(warning) for warning in self.warnings
            )
        return Response(status, body, headers=headers)


class ResourceApi:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    # -- reading ---------------------------------------------------------------------------
    def fetch(self, res: ResourceKind, namespace: str | None, name: str) -> Obj:
        obj = self.store.get(res.kind, namespace or "", name)
        if obj is None:
            raise not_found(res, name)
        return obj

    def getter(self, res: ResourceKind) -> Handler:
        def handle(request: Request) -> Response:
            obj = self.fetch(res, request.params.get("namespace"), request.params["name"])
            if wants_table(request.headers.get("accept")):
                rv = obj["metadata"]["resourceVersion"]
                include = request.arg("includeObject") or "Metadata"
                return Response(
                    body=render_table(res, [obj], resource_version=rv, include_object=include)
                )
            return Response(body=obj)

        return handle

    def lister(self, res: ResourceKind) -> Handler:
        def handle(request: Request) -> Response:
            namespace = request.params.get("namespace")
            labels_text, fields_text = request.arg("labelSelector"), request.arg("fieldSelector")
            try:
                labels = parse_label_selector(labels_text)
                fields = parse_field_selector(fields_text)
            except ValueError as exc:
                raise bad_request(str(exc)) from exc

            def matches(obj: Obj) -> bool:
                return labels.matches(obj["metadata"].get("labels")) and fields.matches(obj)

            if truthy(request.arg("watch")):
                return self._watch(res, request, namespace, matches)
            limit = parse_limit(request.arg("limit"))
            objects, version, start = self._snapshot(res, request, namespace)
            across = res.namespaced and namespace is None
            keyed = sorted(
                (key, obj)
                for obj in objects
                if (key := object_key(obj, across)) >= start and matches(obj)
            )
            items, meta = cut(
                keyed, limit=limit, version=version, counted=not (labels_text or fields_text)
            )
            if wants_table(request.headers.get("accept")):
                include = request.arg("includeObject") or "Metadata"
                table = render_table(
                    res, items, resource_version=meta["resourceVersion"], include_object=include
                )
                table["metadata"].update(meta)
                return Response(body=table)
            body = {"kind": res.list_kind, "apiVersion": res.api_version, "metadata": meta}
            return Response(body={**body, "items": items})

        return handle

    def _snapshot(
        self, res: ResourceKind, request: Request, namespace: str | None
    ) -> tuple[list[Obj], int, str]:
        """The objects a list (page) is cut from, their resourceVersion and the start key."""
        token = request.arg("continue")
        with self.store.changed:
            if not token:
                return self.store.select(res.kind, namespace), self.store.resource_version, ""
            position = decode(token)
            if request.arg("resourceVersion") not in (None, "", "0"):
                raise bad_request("specifying resource version is not allowed when using continue")
            if position.resource_version == LATEST:
                current = self.store.select(res.kind, namespace)
                return current, self.store.resource_version, position.start
            past = self.store.select_at(res.kind, position.resource_version, namespace)
            if past is None:
                raise expired(position.start)
            return past, position.resource_version, position.start

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

    # -- checks shared by writes -----------------------------------------------------------
    def _check_type(self, res: ResourceKind, body: Any) -> Obj:
        if not isinstance(body, dict):
            raise bad_request(f"a {res.kind} must be a JSON object")
        for field, expected in (("apiVersion", res.api_version), ("kind", res.kind)):
            sent = body.get(field)
            if sent not in (None, "", expected):
                raise bad_request(
                    f"the {field} in the data ({sent}) does not match the expected "
                    f"{field} ({expected})"
                )
        if not isinstance(body.get("metadata"), dict):
            body["metadata"] = {}
        return body

    def _check_fields(
        self, res: ResourceKind, obj: Obj, request: Request, written: Written
    ) -> None:
        """Unknown fields: refused under Strict, dropped (with a warning under Warn) otherwise."""
        mode = request.arg("fieldValidation") or "Warn"
        if mode not in FIELD_VALIDATION:
            raise bad_request(
                f'fieldValidation must be one of "Ignore", "Warn" or "Strict", not "{mode}"'
            )
        unknown = unknown_fields(obj, shape_of(res.kind))
        if not unknown:
            return
        names = [f'unknown field "{field_path(path)}"' for path in unknown]
        if mode == "Strict":
            raise bad_request(
                f'{res.kind} in version "{res.version}" cannot be handled as a {res.kind}: '
                f"strict decoding error: {', '.join(names)}"
            )
        if mode == "Warn":
            written.warnings.extend(names)
        drop_fields(obj, unknown)

    def _require_namespace(self, res: ResourceKind, namespace: str, name: str) -> None:
        found = self.store.get("Namespace", "", namespace)
        if found is None:
            raise not_found(NAMESPACES, namespace)
        if found["metadata"].get("deletionTimestamp"):
            raise terminating(res, name, namespace)

    # -- creating --------------------------------------------------------------------------
    def creator(self, res: ResourceKind) -> Handler:
        def handle(request: Request) -> Response:
            written = Written()
            body = self._check_type(res, decode_body(request))
            self._check_fields(res, body, request, written)
            created = self.create(res, body, request.params.get("namespace"), dry=dry_run(request))
            return written.response(201, created)

        return handle

    def create(self, res: ResourceKind, body: Obj, namespace: str | None, *, dry: bool) -> Obj:
        meta = body["metadata"]
        if res.namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the "
                    "namespace sent on the request"
                )
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = f"{meta['generateName']}{self.store.random_suffix()}"
        for key in SERVER_SET:
            meta.pop(key, None)
        if res.generation:
            meta["generation"] = 1
        body.update(kind=res.kind, apiVersion=res.api_version)
        if res.has_status and res.kind not in STATUS_ON_CREATE:
            body.pop("status", None)
        errors = admit(res.kind, body, None)
        name = str(meta.get("name"))
        if errors:
            raise invalid(res, name, errors)
        with self.store.changed:
            if namespace is not None and res.namespaced:
                self._require_namespace(res, namespace, name)
            if self.store.get(res.kind, namespace or "", name) is not None:
                raise already_exists(res, name)
            if dry:
                return body
            return self.store.create(res.kind, body)

    # -- updating --------------------------------------------------------------------------
    def replacer(self, res: ResourceKind, *, status: bool = False) -> Handler:
        def handle(request: Request) -> Response:
            written = Written()
            body = self._check_type(res, decode_body(request))
            self._check_fields(res, body, request, written)
            with self.store.changed:
                current = self.fetch(res, request.params.get("namespace"), request.params["name"])
                saved = self.save(res, current, body, dry=dry_run(request), status=status)
            return written.response(200, saved)

        return handle

    def patcher(self, res: ResourceKind, *, status: bool = False) -> Handler:
        def handle(request: Request) -> Response:
            try:
                kind = patch_kind(request.headers.get("content-type"))
            except PatchError as exc:
                raise unsupported_media(str(exc)) from exc
            patch = decode_body(request)
            written = Written()
            with self.store.changed:
                current = self.fetch(res, request.params.get("namespace"), request.params["name"])
                try:
                    new = apply_patch(current, patch, kind)
                except PatchError as exc:
                    raise ApiError(422, "Invalid", str(exc)) from exc
                self._check_type(res, new)
                self._check_fields(res, new, request, written)
                saved = self.save(res, current, new, dry=dry_run(request), status=status)
            return written.response(200, saved)

        return handle

    def save(self, res: ResourceKind, current: Obj, new: Obj, *, dry: bool, status: bool) -> Obj:
        """Validate and store `new` in place of `current`: the one path of every update."""
        name = current["metadata"]["name"]
        meta = new["metadata"]
        sent_version = meta.get("resourceVersion")
        if sent_version and sent_version != current["metadata"]["resourceVersion"]:
            raise conflict(res, name)
        if meta.get("name", name) != name:
            raise bad_request(
                f"the name of the object ({meta.get('name')}) does not match "
                f"the name on the URL ({name})"
            )
        namespace = current["metadata"].get("namespace")
        if res.namespaced and meta.get("namespace", namespace) != namespace:
            raise bad_request(
                "the namespace of the provided object does not match the namespace sent on "
                "the request"
            )
        for key in (*SERVER_SET, "namespace"):
            if key in current["metadata"]:
                meta[key] = current["metadata"][key]
            else:
                meta.pop(key, None)
        meta["name"] = name
        new.update(kind=res.kind, apiVersion=res.api_version)
        if status:
            # The status subresource changes status and nothing else.
            new = {**clone(current), "status": new.get("status") or {}}
        else:
            if res.has_status:
                new["status"] = clone(current.get("status") or {})
            errors = admit(res.kind, new, current)
            if errors:
                raise invalid(res, name, errors)
            if res.generation and new.get("spec") != current.get("spec"):
                meta["generation"] = current["metadata"].get("generation", 1) + 1
        if dry:
            return new
        return self.store.update(res.kind, new)

    # -- deleting --------------------------------------------------------------------------
    def deleter(self, res: ResourceKind) -> Handler:
        def handle(request: Request) -> Response:
            namespace, name = request.params.get("namespace"), request.params["name"]
            with self.store.changed:
                obj = self.fetch(res, namespace, name)
                return Response(body=self.delete(res, obj, dry=dry_run(request)))

        return handle

    def delete(self, res: ResourceKind, obj: Obj, *, dry: bool) -> Obj:
        """Delete `obj` and answer as the API does for its kind: the object, or a Status."""
        meta = obj["metadata"]
        if res.kind == "Namespace":
            # The namespace controller empties it first; until then it is Terminating.
            if meta.get("deletionTimestamp"):
                raise ApiError(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on namespaces "{meta["name"]}": The system '
                    "is ensuring all content is removed from this namespace.  Upon completion, "
                    "this namespace will automatically be purged by the system.",
                )
            meta["deletionTimestamp"] = rfc3339()
            obj["status"] = {"phase": "Terminating"}
            return obj if dry else self.store.update("Namespace", obj)
        if not dry:
            # Owned objects go with it: the controller's garbage collector sees to that.
            self.store.delete(res.kind, meta.get("namespace", ""), meta["name"])
        if res.kind == "Pod":
            meta["deletionTimestamp"] = rfc3339()
            meta["deletionGracePeriodSeconds"] = 30
        if res.returns_deleted:
            return obj
        return status_success(res, meta["name"], meta["uid"])

    def collection_deleter(self, res: ResourceKind) -> Handler:
        def handle(request: Request) -> Response:
            namespace = request.params.get("namespace")
            try:
                labels = parse_label_selector(request.arg("labelSelector"))
                fields = parse_field_selector(request.arg("fieldSelector"))
            except ValueError as exc:
                raise bad_request(str(exc)) from exc
            with self.store.changed:
                doomed = [
                    obj
                    for obj in self.store.select(res.kind, namespace)
                    if labels.matches(obj["metadata"].get("labels")) and fields.matches(obj)
                ]
                for obj in doomed:
                    self.delete(res, clone(obj), dry=dry_run(request))
                version = str(self.store.resource_version)
            body = {
                "kind": res.list_kind,
                "apiVersion": res.api_version,
                "metadata": {"resourceVersion": version},
                "items": doomed,
            }
            return Response(body=body)

        return handle
