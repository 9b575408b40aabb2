"""Secrets never reach the logs: not in messages, nested values, tracebacks or vendor records."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import structlog

from bot.audit import redact, set_secrets
from bot.logs import configure_logging, get_logger
from bot.settings import load_settings

TOKEN = "xoxb-1234-SUPERSECRET-token"


@pytest.fixture(autouse=True)
def _secrets() -> Iterator[None]:
    handlers = logging.getLogger().handlers[:]
    settings = load_settings(
        {
            "KUBER_SLACK_BOT_TOKEN": TOKEN,
            "KUBER_SLACK_SIGNING_SECRET": "0123456789abcdef",
            "KUBER_DATABASE_URL": "postgresql://kuber:pg-pa55word@db/kuber",
        }
    )
    set_secrets(settings.env.secrets())
    yield
    # The captured stream closes after the test: later tests must not log into it.
    structlog.reset_defaults()
    logging.getLogger().handlers[:] = handlers
    set_secrets([])


@pytest.mark.parametrize("fmt", ["console", "json"])
def test_secrets_are_blanked_everywhere_in_the_logs(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("info", fmt)
    log = get_logger("test")
    log.info(f"calling with {TOKEN}", headers={"Authorization": f"Bearer {TOKEN}"}, args=[TOKEN])
    try:
        raise RuntimeError(f"refused token {TOKEN} for pg-pa55word")
    except RuntimeError:
        log.exception("call failed")
        logging.getLogger("slack_sdk").exception("vendor saw %s", TOKEN)
    err = capsys.readouterr().err
    assert "SUPERSECRET" not in err
    assert "pg-pa55word" not in err
    assert err.count("[redacted]") >= 5
    assert "RuntimeError" in err  # the traceback itself is still there


def test_redact_leaves_ordinary_text_alone() -> None:
    assert redact("scale payment to 3") == "scale payment to 3"
