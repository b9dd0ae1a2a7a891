"""Sharing an Earth Engine asset: the IAM members and roles it takes, and how new grants merge
into the policy it has.

An asset's IAM Policy (``getIamPolicy``) holds ``bindings`` of a ``role`` to ``members``, and an
``etag``; ``setIamPolicy`` replaces the whole policy, and refuses it (409 ABORTED) when the
``etag`` sent is not the current one. So a grant is a read-modify-write: read the policy, merge
the grants into it (:func:`merged_policy`), send it with the etag read, and read again when
someone changed it in between. Members already granted are not granted twice, and a policy that
already holds every grant is not sent at all (:func:`merged_policy` returns None).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import InvalidRequestError, shown

VIEWER = "roles/viewer"
EDITOR = "roles/editor"
OWNER = "roles/owner"
# The roles an Earth Engine asset's policy takes.
ASSET_ROLES = (VIEWER, EDITOR, OWNER)
# Anyone, signed in or not: what "anyone can read" grants roles/viewer to.
ALL_USERS = "allUsers"
# The member kinds a grant may name, each followed by an email (a domain for domain:).
MEMBER_KINDS = ("user", "group", "serviceAccount", "domain")
_EMAIL = re.compile(r"[^@\s:]+@[^@\s:]+\.[^@\s:]+")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z0-9-]+")
MEMBER_RULE = (
    "must be IAM members: user:<email>, group:<email>, serviceAccount:<email> or domain:<domain>"
)

Policy = dict[str, Any]


def check_member(value: object, parameter: str) -> str:
    """``value`` as an IAM member of an asset grant, or InvalidRequestError naming
    ``parameter``. A bare email gets a hint: it could be a user, a group or a service account,
    and IAM will not guess."""
    if isinstance(value, str):
        kind, colon, rest = value.partition(":")
        if colon and kind in MEMBER_KINDS:
            pattern = _DOMAIN if kind == "domain" else _EMAIL
            if pattern.fullmatch(rest):
                return value
        elif value == ALL_USERS:
            raise InvalidRequestError(
                parameter, "allUsers is granted by all_users_can_read=True, not as a member"
            )
        elif _EMAIL.fullmatch(value):
            raise InvalidRequestError(
                parameter,
                f"{MEMBER_RULE}, got {shown(value)}: write user:{value} (or group:{value}, "
                f"serviceAccount:{value})",
            )
    raise InvalidRequestError(parameter, f"{MEMBER_RULE}, got {shown(value)}")


def check_members(values: object, parameter: str) -> tuple[str, ...]:
    """A list of members (a single member string is one member), each checked."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, Iterable) or isinstance(values, Mapping):
        raise InvalidRequestError(parameter, f"{MEMBER_RULE} (a list), got {shown(values)}")
    return tuple(dict.fromkeys(check_member(value, parameter) for value in values))


def check_role(value: object, parameter: str) -> str:
    """``value`` as a role an asset's policy takes, or InvalidRequestError naming
    ``parameter``."""
    if isinstance(value, str) and value in ASSET_ROLES:
        return value
    raise InvalidRequestError(
        parameter, f"roles must be one of {', '.join(ASSET_ROLES)}, got {shown(value)}"
    )


def check_bindings(value: object, parameter: str = "bindings") -> dict[str, tuple[str, ...]]:
    """``{role: [member, ...]}`` checked: roles from :data:`ASSET_ROLES`, members as
    :func:`check_member` takes them."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidRequestError(
            parameter, f"must map roles to lists of members, got {shown(value)}"
        )
    return {check_role(role, parameter): check_members(m, parameter) for role, m in value.items()}


def grants(
    readers: Iterable[str] = (),
    writers: Iterable[str] = (),
    bindings: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Every grant in one ``{role: members}``: readers are viewers, writers editors, and
    ``bindings`` (already checked) adds to either or to owners."""
    merged: dict[str, dict[str, None]] = {}
    for role, members in ((VIEWER, readers), (EDITOR, writers), *(bindings or {}).items()):
        merged.setdefault(role, {}).update(dict.fromkeys(members))
    return {role: tuple(members) for role, members in merged.items() if members}


def merged_policy(
    policy: Mapping[str, Any],
    granted: Mapping[str, Iterable[str]],
    *,
    all_users_can_read: bool | None = None,
) -> Policy | None:
    """The policy to send: ``policy`` (as read, ``etag`` included) with every member of
    ``granted`` in its role, and ``allUsers`` added to or removed from the viewers as
    ``all_users_can_read`` says (None: left as it is). None when ``policy`` already holds all
    of that, so nothing needs sending.

    Grants go to the binding of the role that has no ``condition``; conditional bindings and
    every other field are kept as read.
    """
    merged: Policy = copy.deepcopy(dict(policy))
    raw = merged.get("bindings")
    bindings: list[dict[str, Any]] = (
        [b for b in raw if isinstance(b, dict)] if isinstance(raw, list) else []
    )
    changed = False

    def plain(role: str) -> dict[str, Any]:
        for binding in bindings:
            if binding.get("role") == role and not binding.get("condition"):
                if not isinstance(binding.get("members"), list):
                    binding["members"] = []
                return binding
        binding = {"role": role, "members": []}
        bindings.append(binding)
        return binding

    wanted = {role: list(members) for role, members in granted.items()}
    if all_users_can_read:
        wanted.setdefault(VIEWER, []).append(ALL_USERS)
    for role, members in wanted.items():
        missing = [m for m in dict.fromkeys(members) if m not in _members_of(bindings, role)]
        if missing:
            plain(role)["members"].extend(missing)
            changed = True
    if all_users_can_read is False:
        for binding in bindings:
            if binding.get("role") == VIEWER and ALL_USERS in (binding.get("members") or []):
                binding["members"] = [m for m in binding["members"] if m != ALL_USERS]
                changed = True
    if not changed:
        return None
    merged["bindings"] = [b for b in bindings if b.get("members")]
    return merged


def _members_of(bindings: list[dict[str, Any]], role: str) -> set[str]:
    # A member granted the role unconditionally holds it; a conditional grant is not the same.
    found: set[str] = set()
    for binding in bindings:
        members = binding.get("members")
        if (
            binding.get("role") == role
            and not binding.get("condition")
            and isinstance(members, list)
        ):
            found.update(m for m in members if isinstance(m, str))
    return found
