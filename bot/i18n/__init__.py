"""Every sentence Kuber says, in English and Korean, looked up by key.

Catalogs live beside this file, one per area (`core`, `kubernetes`, …), so an area's
messages are read and reviewed together. A key missing in Korean falls back to English;
a key missing everywhere is a bug that `tests/unit/test_i18n.py` catches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from bot.i18n import (
    agile,
    alerts,
    audit,
    builds,
    core,
    diagnose,
    kubernetes,
    nlu,
    prometheus,
    reliability,
    workloads,
)

Lang = Literal["en", "ko"]
Catalog = Mapping[str, Mapping[str, str]]

CATALOG: dict[str, Mapping[str, str]] = {}
for _area in (
    agile,
    alerts,
    audit,
    builds,
    core,
    diagnose,
    kubernetes,
    nlu,
    prometheus,
    reliability,
    workloads,
):
    _overlap = CATALOG.keys() & _area.MESSAGES.keys()
    if _overlap:
        raise RuntimeError(f"message keys defined twice: {sorted(_overlap)}")
    CATALOG.update(_area.MESSAGES)


class _Missing(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def translate(lang: str, key: str, /, **params: object) -> str:
    """The message `key` in `lang`, with `{name}` placeholders filled from `params`."""
    entry = CATALOG.get(key)
    if entry is None:
        return key if not params else f"{key} {params}"
    template = entry.get(lang) or entry["en"]
    return template.format_map(_Missing(params))


def has(key: str) -> bool:
    return key in CATALOG
