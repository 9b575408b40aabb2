"""Structured logging with per-request context (request id, platform, channel, actor, intent).

Everything logs through structlog; standard-library loggers of the vendors are routed into
the same output. Tracebacks are rendered to text first and every configured secret is then
blanked wherever it appears, nested values and exception text included.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from bot.audit import redact


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return type(value)(_scrub(item) for item in value)
    if isinstance(value, BaseException):
        return redact(repr(value))
    return value


def _redact_secrets(_logger: Any, _name: str, event: MutableMapping[str, Any]) -> Any:
    for key in list(event):
        event[key] = _scrub(event[key])
    return event


def configure_logging(level: str = "info", fmt: str = "console") -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    context: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # Exceptions become text before redaction, so a token inside a traceback is blanked too.
    finish: list[Any] = [structlog.processors.format_exc_info, _redact_secrets, renderer]
    structlog.configure(
        processors=[*context, *finish],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *finish],
            foreign_pre_chain=[*context, structlog.stdlib.ExtraAdder()],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Vendor libraries are chatty at INFO; their warnings still come through.
    root.setLevel(max(logging.WARNING, logging.getLevelName(level.upper())))


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
