"""What Airflow will still render: Jinja in a value, and template files."""

from __future__ import annotations

TEMPLATE_FILE_SUFFIX = ".json"
_MARKERS = ("{{", "{%", "{#")


def has_jinja(text: str) -> bool:
    """Whether ``text`` holds Jinja: an expression, a statement or a comment."""
    return any(marker in text for marker in _MARKERS)


def rendered_later(parameter: str, value: object) -> bool:
    """Whether Airflow will still render this value (Jinja anywhere inside, or a template file)."""
    if parameter == "expression" and (
        callable(value) or (isinstance(value, str) and value.endswith(TEMPLATE_FILE_SUFFIX))
    ):
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
