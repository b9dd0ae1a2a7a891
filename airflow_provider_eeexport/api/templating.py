"""What Airflow still renders: Jinja markers in a value, and template files by their suffix.

A parameter holding Jinja, or an ``expression`` or ``manifest`` naming a ``.json`` file, is only
known once Airflow renders it at run time; until then (at DAG parse time) it cannot be checked.
The operators and the builders ask the same two questions here.
"""

from __future__ import annotations

from typing import TypeGuard

# An expression given as a path ending in this is a template file Airflow reads and renders;
# a description or destination ending in it stays text.
TEMPLATE_FILE_SUFFIX = ".json"
# The parameters that may name a template file: an export's Expression, an ingestion's manifest.
TEMPLATE_FILE_PARAMETERS = ("expression", "manifest")
# Jinja's expression, statement and comment openers: a comment is rendered (away) too.
_JINJA_MARKERS = ("{{", "{%", "{#")


def has_jinja(text: str) -> bool:
    """Whether Airflow's Jinja rendering would change ``text``."""
    return any(marker in text for marker in _JINJA_MARKERS)


def is_template_file(value: object) -> TypeGuard[str]:
    """Whether an ``expression`` (or ``manifest``) names a template file Airflow reads and
    renders."""
    return isinstance(value, str) and value.endswith(TEMPLATE_FILE_SUFFIX)


def rendered_later(parameter: str, value: object) -> bool:
    """Whether Airflow will still render this value (Jinja anywhere inside, or a template file)."""
    if parameter in TEMPLATE_FILE_PARAMETERS and (callable(value) or is_template_file(value)):
        return True
    pending, seen = [value], set()
    while pending:
        item = pending.pop()
        if isinstance(item, str) and has_jinja(item):
            return True
        if isinstance(item, (dict, list, tuple)) and id(item) not in seen:
            seen.add(id(item))  # a dict containing itself must not loop forever
            pending += [*item.keys(), *item.values()] if isinstance(item, dict) else list(item)
    return False
