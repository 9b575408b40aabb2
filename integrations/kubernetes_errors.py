"""Kubernetes failures mapped once into Kuber's error tree, input checks, and the retry policy.

Only `ApiException` and urllib3 errors are looked at here; what leaves is a `bot.errors`
subclass with an i18n key (`bot/i18n/kubernetes.py`). Nothing here calls the API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import pydantic
import urllib3
from kubernetes.client.exceptions import ApiException
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from bot.errors import NotAllowed, PermanentError, TemporaryError, UserError
from integrations.kubernetes_identity import Identity, current_identity

T = TypeVar("T")


# -- the errors ----------------------------------------------------------------------------


class UnknownCluster(UserError):
    """A cluster name Kuber has no kubeconfig context for (`k8s_unknown_cluster`)."""


class InvalidInput(UserError):
    """A name, tag or number that the API would reject anyway; caught before any call."""


class ObjectNotFound(UserError):
    """The object asked about does not exist (`k8s_not_found`)."""


class AppNotFound(ObjectNotFound):
    """No Deployment answers to the app name, neither by name nor by its `app` label."""


class RevisionNotFound(UserError):
    """The revision is not in the history; `choices` are the revisions there are."""


class RolloutRefused(UserError):
    """The change makes no sense in the Deployment's present state (paused, same revision)."""


class Rejected(UserError):
    """The API refused the change as invalid (422); the API's own words are in `message`."""


class Forbidden(PermanentError):
    """Kuber's account lacks an RBAC permission (403), to act or to impersonate: someone
    must grant it."""


class ClusterRefused(NotAllowed):
    """The cluster's own RBAC refused the person Kuber acts for (403 under impersonation):
    not Kuber's missing permission but theirs; `message` is the cluster's own sentence."""


class Unauthorized(PermanentError):
    """The cluster rejected Kuber's credentials (401)."""


class Conflict(TemporaryError):
    """The object kept changing under us (409) even after re-reading it."""


class Unavailable(TemporaryError):
    """The API server is unreachable, timed out or failed (5xx, 429)."""


# -- input checks --------------------------------------------------------------------------

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
# registry[:port]/path/components, lower-case path as the distribution spec requires
_REPOSITORY = re.compile(
    r"(?:[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
    r"(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
)
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")

MAX_REPLICAS = 1000


def check_label(value: str, kind: str) -> str:
    """A DNS-1123 label: namespaces and container names."""
    if not isinstance(value, str) or not _DNS_LABEL.fullmatch(value):
        raise InvalidInput("k8s_invalid_name", name=value, kind=kind)
    return value


def check_name(value: str, kind: str) -> str:
    """A DNS-1123 subdomain: Deployment and pod names."""
    if not isinstance(value, str) or len(value) > 253 or not _DNS_SUBDOMAIN.fullmatch(value):
        raise InvalidInput("k8s_invalid_name", name=value, kind=kind)
    return value


def check_tag(tag: str) -> str:
    if not isinstance(tag, str) or not _TAG.fullmatch(tag):
        raise InvalidInput("k8s_invalid_tag", tag=tag)
    return tag


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """`repo[:tag][@digest]` -> (repo, tag, digest); a registry port is not a tag."""
    rest, _, digest = image.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        return rest[:colon], rest[colon + 1 :], digest or None
    return rest, None, digest or None


def check_image(image: str) -> str:
    if not isinstance(image, str) or not image or len(image) > 4096 or image != image.strip():
        raise InvalidInput("k8s_invalid_image", image=image)
    repository, tag, digest = split_image(image)
    if tag is not None:
        check_tag(tag)
    if not _REPOSITORY.fullmatch(repository) or (digest and not _DIGEST.fullmatch(digest)):
        raise InvalidInput("k8s_invalid_image", image=image)
    return image


def retag(image: str, tag: str) -> str:
    """`image` with its tag (and any digest) replaced by `tag`: what "deploy app 1.2.3" means."""
    check_tag(tag)
    repository, _, _ = split_image(image)
    return check_image(f"{repository}:{tag}")


def check_replicas(replicas: int) -> int:
    if isinstance(replicas, bool) or not isinstance(replicas, int):
        raise InvalidInput("k8s_invalid_replicas", replicas=replicas, max=MAX_REPLICAS)
    if not 0 <= replicas <= MAX_REPLICAS:
        raise InvalidInput("k8s_invalid_replicas", replicas=replicas, max=MAX_REPLICAS)
    return replicas


# -- mapping -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a call was about, so an error can say it in the person's terms."""

    cluster: str
    verb: str  # RBAC verb: get, list, watch, patch
    resource: str  # RBAC resource: deployments, deployments/scale, pods/log, …
    namespace: str | None
    name: str | None = None
    kind: str = "deployment"  # for "not found" messages


def _status_message(exc: ApiException) -> str:
    """The API's own sentence from a Status body, else the HTTP reason."""
    body = exc.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and body:
        try:
            status = json.loads(body)
        except ValueError:
            return body.strip()[:500]
        if isinstance(status, dict):
            message = status.get("message") or status.get("error")
            if message:
                return str(message)
    return str(exc.reason or f"HTTP {exc.status}")


_USER_IN_MESSAGE = re.compile(r'User "([^"]+)" cannot')


def _retry_after(exc: ApiException) -> float | None:
    headers = exc.headers or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def api_error(exc: ApiException, target: Target, account: str) -> Exception:
    """The Kuber error for an `ApiException`; the caller raises it `from exc`."""
    status = int(exc.status or 0)
    message = _status_message(exc)
    where = {"cluster": target.cluster, "namespace": target.namespace or "*"}
    if status == 403 and (acting := current_identity()) is not None:
        return _refused_as(acting, message, target, account)
    if status == 403:
        # The API names the identity it saw; that is more precise than the kubeconfig's user.
        found = _USER_IN_MESSAGE.search(message)
        who = found.group(1) if found else account
        key = "k8s_forbidden" if target.namespace else "k8s_forbidden_cluster"
        return Forbidden(key, verb=target.verb, resource=target.resource, account=who, **where)
    if status == 401:
        return Unauthorized("k8s_unauthorized", cluster=target.cluster)
    if status == 404:
        return ObjectNotFound(
            "k8s_not_found", kind=target.kind, name=target.name or target.resource, **where
        )
    if status == 409:
        return Conflict(
            "k8s_conflict",
            name=target.name or target.resource,
            cluster=target.cluster,
            namespace=target.namespace or "*",
        )
    if status in (400, 422):
        return Rejected("k8s_invalid", name=target.name or target.resource, message=message)
    if status == 429 or status >= 500:
        return Unavailable(
            "k8s_unavailable", delay=_retry_after(exc), cluster=target.cluster, detail=message
        )
    if status == 0 and message.startswith("SSLError"):
        # The client reports TLS failures as status 0: a certificate problem, not an outage.
        return PermanentError("k8s_tls", cluster=target.cluster, detail=message.splitlines()[-1])
    return PermanentError("k8s_api_error", cluster=target.cluster, status=status, detail=message)


def _refused_as(identity: Identity, message: str, target: Target, account: str) -> Exception:
    """A 403 while acting as a person: the person's refusal, or Kuber's own account not being
    allowed to impersonate (`cannot impersonate resource "users"`), which someone must grant."""
    found = _USER_IN_MESSAGE.search(message)
    if " cannot impersonate " in message:
        return Forbidden(
            "k8s_impersonation_forbidden",
            account=found.group(1) if found else account,
            who=identity.user,
            cluster=target.cluster,
            message=message,
        )
    return ClusterRefused(
        "k8s_cluster_refused",
        who=found.group(1) if found else identity.user,
        cluster=target.cluster,
        message=message,
        verb=target.verb,
        resource=target.resource,
        namespace=target.namespace or "*",
    )


def connection_error(exc: Exception, target: Target) -> Unavailable:
    reason = getattr(exc, "reason", None) or exc
    return Unavailable("k8s_unavailable", cluster=target.cluster, detail=_short(reason))


def _short(reason: object) -> str:
    text = str(reason)
    # urllib3 wraps the useful part ("Connection refused") in object reprs; keep the tail.
    if "]" in text:
        text = text.rsplit("]", 1)[-1].strip(" '\")") or text
    return text[:200]


def call(target: Target, account: str, fn: Callable[[], T]) -> T:
    """Run one API call, turning vendor failures into Kuber errors (no retry here)."""
    try:
        return fn()
    except ApiException as exc:
        raise api_error(exc, target, account) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise connection_error(exc, target) from exc
    except pydantic.ValidationError as exc:
        # The client validates answers against its models: an answer it cannot read is the
        # server's (or a proxy's) fault and will not pass by asking again.
        first: Mapping[str, Any] = next(iter(exc.errors()), {})
        where = ".".join(str(part) for part in first.get("loc", ()))
        detail = f"{exc.title} {where}: {first.get('msg', 'invalid')}"
        raise PermanentError("k8s_bad_response", cluster=target.cluster, detail=detail) from exc


# -- retry ---------------------------------------------------------------------------------

ATTEMPTS = 3
# Exponential with jitter, small: three attempts take well under two seconds.
_backoff = wait_exponential(multiplier=0.2, max=2.0) + wait_random(0, 0.2)


def _wait(state: RetryCallState) -> float:
    # Honour a server's Retry-After (429/503) but never sleep long: a person is waiting in chat.
    error = state.outcome.exception() if state.outcome else None
    hinted = getattr(error, "delay", None) or 0.0
    return max(_backoff(state), min(float(hinted), 5.0))


def retrying(fn: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run `fn` again on a temporary failure; only for steps that are safe to repeat.

    `fn` must re-read what it depends on, so a retried write after a 409 works on fresh state.
    """
    retryer = Retrying(
        stop=stop_after_attempt(attempts),
        wait=_wait,
        retry=retry_if_exception_type(TemporaryError),
        reraise=True,
    )
    return retryer(fn)
