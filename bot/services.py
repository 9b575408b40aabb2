"""The outside systems, built from settings once and only when first needed.

A command asks `ctx.services.kubernetes` and gets the one shared client; a Kuber run that
never touches Jenkins never needs its URL. A missing setting is a clear `UserError`.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.settings import Settings

if TYPE_CHECKING:
    from integrations.jenkins import JenkinsBuilds
    from integrations.kubernetes import KubernetesClusters


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()

    @cached_property
    def kubernetes(self) -> KubernetesClusters:
        from integrations.kubernetes import KubernetesClusters

        env = self.settings.env
        if not env.kubeconfig and not env.kubernetes_in_cluster:
            raise UserError("not_configured", system="Kubernetes", variable="KUBECONFIG")
        clusters = self.settings.config.clusters
        contexts = {c.name: c.context_name for c in clusters} if clusters else None
        with self._lock:
            return KubernetesClusters(
                kubeconfig=env.kubeconfig,
                contexts=contexts,
                in_cluster=env.kubernetes_in_cluster,
                request_timeout=env.kubernetes_timeout,
            )

    @cached_property
    def jenkins(self) -> JenkinsBuilds:
        from integrations.jenkins import JenkinsBuilds

        env = self.settings.env
        if not env.jenkins_url:
            raise UserError("not_configured", system="Jenkins", variable="KUBER_JENKINS_URL")
        # Both or neither: a user without a token would be refused with a puzzling 401.
        if bool(env.jenkins_user) != bool(env.jenkins_token):
            missing = "KUBER_JENKINS_TOKEN" if env.jenkins_user else "KUBER_JENKINS_USER"
            raise UserError("not_configured", system="Jenkins", variable=missing)
        token = env.jenkins_token.get_secret_value() if env.jenkins_token else None
        with self._lock:
            return JenkinsBuilds(env.jenkins_url, env.jenkins_user, token)
