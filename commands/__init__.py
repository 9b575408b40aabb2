"""Thin command handlers, one module per capability; each registers with `bot.registry`.

A handler turns an intent's slots into a `Reply` (read-only) or a `Plan` (a change); the
integrations do the work. Modules are listed in pyproject's `kuber.commands` entry points.
"""
