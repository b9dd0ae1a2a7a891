"""The asset calls, described once and carried out by both hooks.

Each hook method becomes a :class:`Plan`: its input checked (nothing is sent when it is bad),
then a generator of :class:`~airflow_provider_eeexport.hooks._calls.Call` s, which a hook
sends one by one (``_assets.py``), sending each answer back in or throwing the error in. What
to do when a write's outcome is unclear is decided here, the same way for both hooks:

- a read, an update, a delete, a create and a policy change are retried like the GETs; a
  retried delete answered NOT_FOUND means the first one deleted it; a retried create answered
  ALREADY_EXISTS means look: the asset is returned if it has the type asked for; a retried
  policy change answered with an etag conflict means look: the policy is returned if it grants
  what was set;
- a copy or a move is retried after a 429 only; after any other failure that may have been
  carried out (a dropped connection, a timeout, a 5xx) the assets are looked at first: done,
  sent again, or an error saying what was found.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from ..api.asset_requests import (
    create_body,
    images_filter,
    list_params,
    same_bindings,
    update_request,
)
from ..api.asset_trees import same_content
from ..api.assets import LEGACY_PROJECT, PUBLIC_PROJECT, AssetName, parent_name
from ..api.errors import (
    EarthEngineApiError,
    EarthEngineConnectionError,
    EarthEngineNotFoundError,
    InvalidParameterError,
    shown,
)
from ..api.names import check_project_id
from ._answers import shape
from ._calls import ANY_OBJECT, Call, Shape
from ._retry import MaybeApplied, may_have_been_applied

T = TypeVar("T")
# A plan's calls: each yield is a call to send; the answer (or its error) comes back in.
Steps = Generator[Call, dict[str, Any], T]
LOOKED_NOTE = " Not sent again blindly: what happened is looked at first."
# Projects nobody bills requests to: an asset there needs a consumer project from elsewhere.
_NOT_CONSUMERS = (LEGACY_PROJECT, PUBLIC_PROJECT)
# An etag conflict: the policy changed since it was read.
_ETAG_CONFLICT = frozenset({"ABORTED", "FAILED_PRECONDITION"})


def _asset_problem(body: dict[str, Any]) -> str | None:
    name = body.get("name")
    return None if isinstance(name, str) and name else "an asset without a string name"


def _page_problem(body: dict[str, Any]) -> str | None:
    assets = body.get("assets", [])
    if not isinstance(assets, list):
        return f"a page whose assets are {shape(assets)}, not a list"
    if any(not isinstance(asset, dict) or _asset_problem(asset) for asset in assets):
        return "a page listing an asset that is not an asset with a string name"
    token = body.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        return f"a page whose nextPageToken is {shape(token)}, not a string"
    return None


def _policy_problem(body: dict[str, Any]) -> str | None:
    bindings = body.get("bindings", [])
    if not isinstance(bindings, list) or not all(isinstance(b, dict) for b in bindings):
        return "a policy whose bindings are not a list of objects"
    return None


ASSET = Shape("an EarthEngineAsset", _asset_problem)
ASSET_PAGE = Shape("a page of assets", _page_problem)
POLICY = Shape("an IAM policy", _policy_problem)
EMPTY = ANY_OBJECT  # google.protobuf.Empty


@dataclass(frozen=True)
class Plan(Generic[T]):
    """What one asset method does: its ``steps`` given the consumer project, and the project
    that pays when nothing else names one (``own_project``, the asset's)."""

    own_project: str
    steps: Callable[[str], Steps[T]]


@dataclass(frozen=True)
class Listing:
    """A listing of a folder's, a collection's or a project's children, page by page."""

    parent: str
    own_project: str
    params: dict[str, Any]

    def page(self, page_token: str | None = None) -> Plan[dict[str, Any]]:
        """The plan of one page."""
        params = dict(self.params, **({"pageToken": page_token} if page_token else {}))

        def steps(project: str) -> Steps[dict[str, Any]]:
            call = Call(
                "GET",
                f"{self.parent}:listAssets",
                project,
                f"list the assets in {self.parent}",
                params=params,
                shape=ASSET_PAGE,
            )
            return (yield call)

        return Plan(self.own_project, steps)


class Run(Generic[T]):
    """A plan being carried out by a hook: send :attr:`call`, then say how it went with
    :meth:`answered` or :meth:`failed`, until :attr:`call` is None and :attr:`result` holds
    the outcome (or the plan raised it)."""

    def __init__(self, plan: Plan[T], project: str) -> None:
        self._steps = plan.steps(project)
        self._result: T | None = None
        self.call: Call | None = None
        self._advance(lambda: next(self._steps))

    @property
    def result(self) -> T:
        """What the plan returned, once :attr:`call` is None."""
        return cast(T, self._result)

    def answered(self, answer: dict[str, Any]) -> None:
        self._advance(lambda: self._steps.send(answer))

    def failed(self, error: Exception) -> None:
        self._advance(lambda: self._steps.throw(error))

    def _advance(self, step: Callable[[], Call]) -> None:
        try:
            self.call = step()
        except StopIteration as done:
            self.call, self._result = None, done.value


def consumer_project(given: str | None, own: str, conn_id: str) -> str:
    """The project a call is billed to: ``given`` (the argument, else the connection's, else
    ADC's), else the asset's own unless nobody is billed there."""
    project = given or (own if own not in _NOT_CONSUMERS else None)
    if not project:
        raise ValueError(
            f"no Cloud project to bill the call to: an asset in {own} needs project_id or the "
            f"extra 'project' on connection {conn_id!r}"
        )
    return check_project_id(project, "project_id")


# --- the plans -------------------------------------------------------------------------------
def get_asset(asset_id: object) -> Plan[dict[str, Any] | None]:
    name = AssetName.parse(asset_id, "asset_id")
    return Plan(name.project, lambda project: _get(name, project))


def create_asset(
    asset_id: object, asset_type: object, properties: Mapping[str, Any] | None, overwrite: object
) -> Plan[dict[str, Any]]:
    name = AssetName.parse(asset_id, "asset_id")
    body = create_body(asset_type, properties)
    params = {"assetId": name.path}
    if _flag(overwrite, "overwrite"):
        params["overwrite"] = "true"

    def steps(project: str) -> Steps[dict[str, Any]]:
        call = Call(
            "POST",
            f"projects/{name.project}/assets",
            project,
            f"create {body['type']} {name}",
            json=body,
            params=params,
            shape=ASSET,
            settled_after_retry=frozenset({"ALREADY_EXISTS"}),
        )
        try:
            return (yield call)
        except MaybeApplied as retried:
            existing = yield from _get(name, project)
            if existing is not None and existing.get("type") == body["type"]:
                return existing
            raise retried.error from None

    return Plan(name.project, steps)


def delete_asset(asset_id: object) -> Plan[None]:
    name = AssetName.parse(asset_id, "asset_id")

    def steps(project: str) -> Steps[None]:
        call = Call(
            "DELETE",
            str(name),
            project,
            f"delete asset {name}",
            shape=EMPTY,
            settled_after_retry=frozenset({"NOT_FOUND"}),
        )
        with contextlib.suppress(MaybeApplied):  # the attempt that failed deleted it
            yield call

    return Plan(name.project, steps)


def copy_asset(
    source_asset_id: object, destination_asset_id: object, overwrite: object, resends: int
) -> Plan[dict[str, Any]]:
    """A copy, sent again at most ``resends`` times when a failed one is found not done."""
    source, destination = _source_and_destination(source_asset_id, destination_asset_id)
    overwrite = _flag(overwrite, "overwrite")
    body = {"destinationName": str(destination), "overwrite": overwrite}

    def done(found_source: dict[str, Any] | None, found: dict[str, Any] | None) -> bool | None:
        if found is not None and (
            not overwrite or (found_source is not None and same_content(found_source, found))
        ):
            return True
        return False if found_source is not None else None

    return _relocation("copy", source, destination, body, done, resends)


def move_asset(
    source_asset_id: object, destination_asset_id: object, resends: int
) -> Plan[dict[str, Any]]:
    """A move, sent again at most ``resends`` times when a failed one is found not done."""
    source, destination = _source_and_destination(source_asset_id, destination_asset_id)
    body = {"destinationName": str(destination)}

    def done(found_source: dict[str, Any] | None, found: dict[str, Any] | None) -> bool | None:
        if found_source is None and found is not None:
            return True
        return False if found_source is not None and found is None else None

    return _relocation("move", source, destination, body, done, resends)


def update_asset(
    asset_id: object,
    properties: Mapping[str, Any] | None,
    start_time: object,
    end_time: object,
) -> Plan[dict[str, Any]]:
    name = AssetName.parse(asset_id, "asset_id")
    body = update_request(properties=properties, start_time=start_time, end_time=end_time)

    def steps(project: str) -> Steps[dict[str, Any]]:
        return (
            yield Call("PATCH", str(name), project, f"update asset {name}", json=body, shape=ASSET)
        )

    return Plan(name.project, steps)


def list_assets(parent: object, *, page_size: object, view: object, filter: object) -> Listing:
    parent = parent_name(parent, "parent")
    params = list_params(page_size=page_size, view=view, filter=filter)
    return Listing(parent, _project_of(parent), params)


def list_images(
    collection: object,
    *,
    start_time: object,
    end_time: object,
    properties: Sequence[str] | None,
    filter: object,
    page_size: object,
) -> Listing:
    name = AssetName.parse(collection, "collection")
    query = images_filter(
        start_time=start_time,
        end_time=end_time,
        properties=properties,
        filter=filter,  # type: ignore[arg-type]  # checked there
    )
    params = list_params(page_size=page_size, filter=query)
    return Listing(str(name), name.project, params)


def get_iam_policy(asset_id: object) -> Plan[dict[str, Any]]:
    name = AssetName.parse(asset_id, "asset_id")
    return Plan(name.project, lambda project: _get_policy(name, project))


def set_iam_policy(asset_id: object, policy: object) -> Plan[dict[str, Any]]:
    name = AssetName.parse(asset_id, "asset_id")
    body = {"policy": _check_policy(policy)}

    def steps(project: str) -> Steps[dict[str, Any]]:
        call = Call(
            "POST",
            f"{name}:setIamPolicy",
            project,
            f"set the IAM policy of {name}",
            json=body,
            shape=POLICY,
            settled_after_retry=_ETAG_CONFLICT,
        )
        try:
            return (yield call)
        except MaybeApplied as retried:
            current = yield from _get_policy(name, project)
            if same_bindings(current, body["policy"]):
                return current
            raise retried.error from None

    return Plan(name.project, steps)


# --- shared steps ----------------------------------------------------------------------------
def _get(name: AssetName, project: str) -> Steps[dict[str, Any] | None]:
    try:
        return (yield Call("GET", str(name), project, f"get asset {name}", shape=ASSET))
    except EarthEngineNotFoundError:
        return None


def _get_policy(name: AssetName, project: str) -> Steps[dict[str, Any]]:
    call = Call(
        "POST",
        f"{name}:getIamPolicy",
        project,
        f"get the IAM policy of {name}",
        json={},
        shape=POLICY,
    )
    return (yield call)


def _relocation(
    verb: str,
    source: AssetName,
    destination: AssetName,
    body: dict[str, Any],
    done: Callable[[dict[str, Any] | None, dict[str, Any] | None], bool | None],
    resends: int,
) -> Plan[dict[str, Any]]:
    """A copy or a move: ``done`` says from the source and destination found after a failure
    whether it happened (True), did not (False: send it again) or cannot be told (None)."""

    def steps(project: str) -> Steps[dict[str, Any]]:
        call = Call(
            "POST",
            f"{source}:{verb}",
            project,
            f"{verb} asset {source} to {destination}",
            json=body,
            shape=ASSET,
            retryable=False,
            retry_rate_limited=True,
            not_retried_note=LOOKED_NOTE,
        )
        sent = 0
        while True:
            try:
                return (yield call)
            except (EarthEngineApiError, EarthEngineConnectionError) as failure:
                if not may_have_been_applied(failure):
                    raise
                sent += 1
                found_source = yield from _get(source, project)
                found = yield from _get(destination, project)
                outcome = done(found_source, found)
                if outcome and found is not None:
                    return found
                if outcome is None or sent > resends:
                    seen = _what_was_found(source, found_source, destination, found)
                    if outcome is None:
                        note = f"it is not known whether the {verb} happened: {seen}"
                    else:
                        note = f"{seen}: the {verb} did not happen; not sent again"
                    raise _unsettled(
                        failure, f" After {sent} failed {verb}(s), {note}."
                    ) from failure

    return Plan(source.project, steps)


def _what_was_found(
    source: AssetName,
    found_source: dict[str, Any] | None,
    destination: AssetName,
    found: dict[str, Any] | None,
) -> str:
    def state(name: AssetName, asset: dict[str, Any] | None) -> str:
        return f"{name} {'exists' if asset is not None else 'does not exist'}"

    return f"{state(source, found_source)} and {state(destination, found)}"


def _unsettled(failure: Exception, note: str) -> Exception:
    if isinstance(failure, EarthEngineApiError):
        message = failure.message.removesuffix(LOOKED_NOTE) + note
        return type(failure)(failure.http_status, failure.status, message, failure.details)
    return EarthEngineConnectionError(str(failure).removesuffix(LOOKED_NOTE) + note)


def _source_and_destination(source: object, destination: object) -> tuple[AssetName, AssetName]:
    parsed = AssetName.parse(source, "source_asset_id")
    target = AssetName.parse(destination, "destination_asset_id")
    if parsed == target:
        raise InvalidParameterError(
            "destination_asset_id", f"must differ from source_asset_id, got {str(target)!r}"
        )
    return parsed, target


def _check_policy(policy: object) -> dict[str, Any]:
    if not isinstance(policy, Mapping):
        raise InvalidParameterError("policy", f"must be an IAM policy, a dict, got {shown(policy)}")
    bindings = policy.get("bindings", [])
    if not isinstance(bindings, list):
        raise InvalidParameterError("policy", f"bindings must be a list, got {shown(bindings)}")
    for binding in bindings:
        members = binding.get("members") if isinstance(binding, Mapping) else None
        if (
            not isinstance(binding, Mapping)
            or not isinstance(binding.get("role"), str)
            or not isinstance(members, list)
            or not all(isinstance(member, str) for member in members)
        ):
            raise InvalidParameterError(
                "policy",
                "each binding must be {'role': text, 'members': [text, ...]}, got "
                f"{shown(binding)}",
            )
    etag = policy.get("etag")
    if etag is not None and not isinstance(etag, str):
        raise InvalidParameterError("policy", f"etag must be text, got {shown(etag)}")
    return dict(policy)


def _flag(value: object, parameter: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidParameterError(parameter, f"must be True or False, got {shown(value)}")
    return value


def _project_of(parent: str) -> str:
    return parent.split("/")[1]
