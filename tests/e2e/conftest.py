"""End-to-end fixtures: the Slack sandbox the replicas of `kuber serve` answer through."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.slack import SlackSandbox


@pytest.fixture
def slack() -> Iterator[SlackSandbox]:
    with SlackSandbox() as sandbox:
        yield sandbox
