"""One cluster's Kubernetes API calls: JSON-shaped dicts in and out, vendor errors mapped.

The thin layer over the `kubernetes` client that `integrations/kubernetes.py` builds on. It
decides nothing: no retries (only callers know what is safe to repeat) and no rollout rules.
Each instance owns its own ApiClient and Configuration, never the process-wide default.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Generator, Iterator, Mapping
from functools import partial
from typing import Any, cast

import urllib3
import yaml
from kubernetes import config as kube_config
from kubernetes.client import ApiClient, AppsV1Api, Configuration, CoreV1Api
from kubernetes.client.exceptions import ApiException
from kubernetes.config import ConfigException
from urllib3 import HTTPHeaderDict

from bot.errors import ConfigError
from integrations.kubernetes_errors import ObjectNotFound, Target, Unavailable, api_error, call
from integrations.kubernetes_identity import impersonation_headers
from integrations.kubernetes_models import Json

# kubernetes.config is not annotated; typed names keep the calls below checked.
_list_contexts: Callable[..., tuple[list[dict[str, Any]], Any]] = (
    kube_config.list_kube_config_contexts
)
_load_kube_config: Callable[..., None] = kube_config.load_kube_config
_load_incluster_config: Callable[..., None] = kube_config.load_incluster_config

IN_CLUSTER = "in-cluster"
STRATEGIC_MERGE = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


class WatchExpired(Exception):
    """The watch's resourceVersion is too old (410 Gone): list again, then watch."""


class _ActingApiClient(ApiClient):
    """An ApiClient whose every request carries the impersonation of the person Kuber acts for
    (`kubernetes_identity.acting_as`), so the cluster's own RBAC judges that person too.

    The generated methods pass headers as a dict, which cannot repeat `Impersonate-Group`;
    urllib3's HTTPHeaderDict can, and sends each value as a header of its own.
    """

    def call_api(
        self,
        method: str,
        url: str,
        header_params: Mapping[str, str] | None = None,
        body: Any = None,
        post_params: Any = None,
        _request_timeout: Any = None,
    ) -> Any:
        acting = impersonation_headers()
        if acting:
            headers = HTTPHeaderDict(dict(header_params or {}))
            for name, value in acting:
                headers.add(name, value)
            header_params = headers
        return super().call_api(method, url, header_params, body, post_params, _request_timeout)


class ClusterApi:
    """The calls Kuber makes to one cluster, each with a timeout and mapped errors."""

    def __init__(self, name: str, configuration: Configuration, account: str, timeout: float):
        # Retries belong to Kuber's own policy, which knows what is safe to repeat; urllib3
        # retrying underneath would multiply attempts and hide how long a call really took.
        configuration.retries = False
        self.name = name
        self.account = account  # who the cluster sees: named in "forbidden" messages
        self.timeout = timeout
        self._client = _ActingApiClient(configuration=configuration)
        self._apps = AppsV1Api(self._client)
        self._core = CoreV1Api(self._client)
        # Models -> the API's own JSON shape (camelCase), the one form the rest of Kuber reads.
        self._to_json: Callable[[object], Any] = self._client.sanitize_for_serialization
        self.close: Callable[[], None] = self._client.close

    def _target(self, verb: str, resource: str, namespace: str | None, **kw: str) -> Target:
        return Target(self.name, verb, resource, namespace, **kw)

    def read_deployment(self, namespace: str, name: str) -> Json:
        model = call(
            self._target("get", "deployments", namespace, name=name),
            self.account,
            lambda: self._apps.read_namespaced_deployment(
                name, namespace, _request_timeout=self.timeout
            ),
        )
        return cast(Json, self._to_json(model))

    def patch_deployment(self, namespace: str, name: str, body: Any, content_type: str) -> Json:
        model = call(
            self._target("patch", "deployments", namespace, name=name),
            self.account,
            lambda: self._apps.patch_namespaced_deployment(
                name, namespace, body, _content_type=content_type, _request_timeout=self.timeout
            ),
        )
        return cast(Json, self._to_json(model))

    def patch_scale(self, namespace: str, name: str, replicas: int) -> None:
        call(
            self._target("patch", "deployments/scale", namespace, name=name),
            self.account,
            lambda: self._apps.patch_namespaced_deployment_scale(
                name,
                namespace,
                {"spec": {"replicas": replicas}},
                _content_type=MERGE,
                _request_timeout=self.timeout,
            ),
        )

    def list(
        self,
        resource: str,
        namespace: str | None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[Json]:
        """Items of `resource` in `namespace` (None: every namespace, Deployments only)."""
        found = self._list(resource, namespace, label_selector, field_selector)
        return list(found.get("items") or [])

    def _list(
        self, resource: str, namespace: str | None, labels: str | None, fields: str | None
    ) -> Json:
        target = self._target("list", resource, namespace, kind=resource.rstrip("s"))
        timeout = self.timeout
        fetch: Callable[[], object]
        if namespace is None:
            fetch = partial(self._apps.list_deployment_for_all_namespaces)
        elif resource == "deployments":
            fetch = partial(self._apps.list_namespaced_deployment, namespace)
        elif resource == "replicasets":
            fetch = partial(self._apps.list_namespaced_replica_set, namespace)
        elif resource == "pods":
            fetch = partial(self._core.list_namespaced_pod, namespace)
        elif resource == "events":
            fetch = partial(self._core.list_namespaced_event, namespace)
        else:
            raise ValueError(f"Kuber does not list {resource}")
        result = call(
            target,
            self.account,
            lambda: fetch(label_selector=labels, field_selector=fields, _request_timeout=timeout),
        )
        return cast(Json, self._to_json(result))

    def list_deployment(self, namespace: str, name: str) -> tuple[Json, str | None]:
        """The Deployment by a field-selected list, whose resourceVersion starts a watch."""
        result = self._list("deployments", namespace, None, f"metadata.name={name}")
        items = result.get("items") or []
        if not items:
            raise ObjectNotFound(
                "k8s_not_found",
                kind="deployment",
                name=name,
                namespace=namespace,
                cluster=self.name,
            )
        return items[0], (result.get("metadata") or {}).get("resourceVersion")

    def watch_deployment(
        self, namespace: str, name: str, version: str | None, seconds: float
    ) -> Generator[tuple[str, Json], None, None]:
        """Events of one Deployment for about `seconds`, as (type, object) pairs."""
        target = self._target("watch", "deployments", namespace, name=name)
        window = max(1, math.ceil(seconds))
        response = cast(
            urllib3.HTTPResponse,
            call(
                target,
                self.account,
                lambda: self._apps.list_namespaced_deployment(
                    namespace,
                    field_selector=f"metadata.name={name}",
                    resource_version=version,
                    timeout_seconds=window,
                    allow_watch_bookmarks=True,
                    watch=True,
                    _preload_content=False,
                    # The server ends the watch after whole seconds; reading no longer than the
                    # window asked for keeps the caller's deadline, and catches a hung server.
                    _request_timeout=(self.timeout, seconds + 0.5),
                ),
            ),
        )
        try:
            yield from _events(target, self.account, response)
        finally:
            # A watch left mid-stream must not go back to the pool half-read.
            response.close()
            response.release_conn()

    def read_log(self, namespace: str, pod: str, container: str, tail: int, previous: bool) -> str:
        target = self._target("get", "pods/log", namespace, name=pod, kind="pod")
        response = cast(
            urllib3.HTTPResponse,
            call(
                target,
                self.account,
                lambda: self._core.read_namespaced_pod_log(
                    pod,
                    namespace,
                    container=container or None,
                    tail_lines=tail,
                    previous=previous,
                    # Raw bytes: a log line that happens to look like JSON must stay text.
                    _preload_content=False,
                    _request_timeout=self.timeout,
                ),
            ),
        )
        try:
            data = call(target, self.account, lambda: response.data)
        finally:
            response.release_conn()
        return data.decode("utf-8", "replace")


def _events(
    target: Target, account: str, response: urllib3.HTTPResponse
) -> Iterator[tuple[str, Json]]:
    buffer = b""
    while True:
        # read1 hands over whatever has arrived, so each event is seen as soon as it is sent.
        chunk = call(target, account, lambda: response.read1(65536))
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError as exc:
                # A line cut short (a proxy dropping the stream): watch again from the last event.
                raise Unavailable(
                    "k8s_unavailable", cluster=target.cluster, detail="broken watch stream"
                ) from exc
            kind, obj = str(event.get("type", "")), event.get("object") or {}
            if kind == "ERROR":
                code = int(obj.get("code") or 500)
                if code == 410:
                    raise WatchExpired
                failure = ApiException(status=code, reason=obj.get("message"))
                raise api_error(failure, target, account)
            if kind != "BOOKMARK":
                yield kind, obj


def connect(
    kubeconfig: str | None, contexts: Mapping[str, str] | None, in_cluster: bool, timeout: float
) -> dict[str, ClusterApi]:
    """A ClusterApi per Kuber cluster name; a bad kubeconfig stops start-up with ConfigError."""
    try:
        if in_cluster:
            configuration = Configuration()
            _load_incluster_config(client_configuration=configuration)
            return {IN_CLUSTER: ClusterApi(IN_CLUSTER, configuration, "serviceaccount", timeout)}
        return _from_kubeconfig(kubeconfig, contexts, timeout)
    except (ConfigException, OSError, ValueError, yaml.YAMLError) as exc:
        where = "the in-cluster service account" if in_cluster else f"kubeconfig {kubeconfig}"
        raise ConfigError(f"cannot load {where}: {exc}") from exc


def _from_kubeconfig(
    path: str | None, contexts: Mapping[str, str] | None, timeout: float
) -> dict[str, ClusterApi]:
    available, _current = _list_contexts(config_file=path)
    by_name = {entry["name"]: entry.get("context") or {} for entry in available}
    wanted = dict(contexts) if contexts is not None else {name: name for name in by_name}
    clusters = {}
    for cluster, context in wanted.items():
        if context not in by_name:
            raise ConfigError(
                f"kubeconfig {path or '$KUBECONFIG or ~/.kube/config'} has no context "
                f"{context!r} for cluster {cluster!r}; it has {', '.join(sorted(by_name))}"
            )
        configuration = Configuration()
        # persist_config=False: a refreshed token must never be written back into the file.
        _load_kube_config(
            config_file=path,
            context=context,
            client_configuration=configuration,
            persist_config=False,
        )
        account = str(by_name[context].get("user") or cluster)
        clusters[cluster] = ClusterApi(cluster, configuration, account, timeout)
    return clusters
