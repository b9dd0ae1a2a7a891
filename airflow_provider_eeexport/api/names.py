"""The names that end up in request URLs: Cloud project ids and Earth Engine operation names,
and lists of names as settings give them (an impersonation chain).

Names are checked before they are put into a path, so that no value can reach another route
(``p/operations/x:wait``) or another path (``a/b?c``) of the API.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .errors import InvalidRequestError, shown

# A Cloud project id (6 to 30 lowercase letters, digits and hyphens, starting with a letter and
# not ending with a hyphen), optionally scoped by a domain (``example.com:my-project``), or a
# project number.
PROJECT_ID_PART = (
    r"(?:(?:(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?:)?"
    r"[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})"
)
PROJECT_ID = re.compile(PROJECT_ID_PART)
PROJECT_ID_RULE = (
    "must be a Cloud project id (6 to 30 lowercase letters, digits or hyphens, starting with a "
    "letter and not ending with a hyphen, optionally after 'domain:') or a project number"
)
API_VERSION_PREFIX = re.compile(r"^/?(v1|v1beta|v1alpha)/")
OPERATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
OPERATION_NAME_FORM = "projects/<project>/operations/<id>"
# Where earthengine-api reads the data catalog's deprecated datasets, on storage.googleapis.com;
# the emulator serves its own at the same path.
DEPRECATED_CATALOG_PATH = "/earthengine-stac/catalog/catalog_deprecated.json"


def check_project_id(value: object, field: str = "project") -> str:
    """``value`` when it is a valid Cloud project id or number; else InvalidRequestError."""
    if isinstance(value, str) and PROJECT_ID.fullmatch(value):
        return value
    raise InvalidRequestError(field, f"{PROJECT_ID_RULE}, got {shown(value)}")


@dataclass(frozen=True)
class OperationName:
    """A parsed operation name: ``projects/{project}/operations/{id}``."""

    project: str
    id: str

    def __str__(self) -> str:
        return f"projects/{self.project}/operations/{self.id}"

    @classmethod
    def parse(cls, name: object, field: str = "operation_name") -> OperationName:
        """The name given as ``projects/p/operations/x``, optionally after ``v1/`` or ``/v1/``.

        Raises :class:`InvalidRequestError` (a ``ValueError``) naming the expected shape.
        """
        if isinstance(name, str):
            parts = API_VERSION_PREFIX.sub("", name.strip()).split("/")
            if (
                len(parts) == 4
                and parts[0] == "projects"
                and parts[2] == "operations"
                and PROJECT_ID.fullmatch(parts[1])
                and OPERATION_ID.fullmatch(parts[3])
            ):
                return cls(parts[1], parts[3])
        raise InvalidRequestError(
            field,
            f"must look like {OPERATION_NAME_FORM} (the project a Cloud project id or number, "
            f"the id letters, digits, '-' or '_'), got {shown(name)}",
        )


def name_list(raw: object, setting: str) -> tuple[str, ...]:
    """The names a list setting holds (the service accounts of an impersonation chain, OAuth
    scopes), given as a JSON list, a comma-separated string or a list of strings; blanks are
    dropped. Raises ``ValueError`` naming ``setting`` for anything else."""
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        text = raw.strip()
        if text.startswith("["):
            try:
                raw = json.loads(text)
            except ValueError:
                raise ValueError(f"extra {setting} is not a valid JSON list") from None
        else:
            raw = text.split(",")
    if not isinstance(raw, (list, tuple)) or not all(isinstance(item, str) for item in raw):
        raise ValueError(f"extra {setting} must be a comma-separated string or a list of strings")
    return tuple(item.strip() for item in raw if item.strip())
