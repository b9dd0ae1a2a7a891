"""Share an Earth Engine asset: grant readers and writers, and public read, without losing
what others granted meanwhile."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._compat import AirflowException
from ..api.errors import EarthEngineApiError, InvalidParameterError, InvalidRequestError
from ..api.iam import check_bindings, check_members, grants, merged_policy
from ._asset_base import AssetSummary, EarthEngineAssetOperator, Touched, pending

if TYPE_CHECKING:
    from .._compat import Context

# How often a policy changed by someone else between our read and write is read and merged
# again before the task gives up.
MAX_POLICY_ATTEMPTS = 5


class EarthEngineShareAssetOperator(EarthEngineAssetOperator):
    """Grant access to the asset ``asset_id``, merged into its current IAM policy.

    The policy is read with its ``etag``, the grants added (members already holding a role
    are not added twice; nothing is removed but ``allUsers`` when ``all_users_can_read`` is
    False), and written back with that ``etag``. When someone changed the policy in between,
    Earth Engine refuses the write (409 ABORTED) and the task reads and merges again, up to
    5 times, then fails saying so. A policy that already holds every grant is not written.

    Templated: ``asset_id``, ``readers``, ``writers``, ``bindings``, ``project_id``,
    ``impersonation_chain``.

    :param asset_id: The asset to share: ``projects/<project>/assets/<path>`` or a legacy
        ``users/<user>/<path>``.
    :param readers: Members to grant ``roles/viewer``: ``user:<email>``, ``group:<email>``,
        ``serviceAccount:<email>`` or ``domain:<domain>``.
    :param writers: Members to grant ``roles/editor``, in the same forms.
    :param all_users_can_read: True grants ``roles/viewer`` to ``allUsers`` (anyone); False
        removes that grant; None (default) leaves it as it is.
    :param bindings: More grants, ``{role: [member, ...]}``; roles are those Earth Engine
        assets take: ``roles/viewer``, ``roles/editor``, ``roles/owner``.
    :param project_id: The Cloud project billed for the calls (default: the connection's).
    :param impersonation_chain: A service account to impersonate, or a chain of them.
    :param ee_conn_id: The Earth Engine connection.

    Returns (XCom) ``{"asset_id", "action": "shared" | "unchanged", "count"}``: ``count`` is
    1 when the policy was written, 0 when it already held everything.
    """

    template_fields = (
        "asset_id",
        "readers",
        "writers",
        "bindings",
        "project_id",
        "impersonation_chain",
    )
    template_fields_renderers = {"bindings": "json"}

    def __init__(
        self,
        *,
        asset_id: str,
        readers: Sequence[str] | str = (),
        writers: Sequence[str] | str = (),
        all_users_can_read: bool | None = None,
        bindings: Mapping[str, Sequence[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.asset_id = asset_id
        self.readers = readers
        self.writers = writers
        self.all_users_can_read = all_users_can_read
        self.bindings = bindings
        super().__init__(**kwargs)
        if all_users_can_read not in (None, True, False):
            raise InvalidParameterError(
                "all_users_can_read", f"must be True, False or None, got {all_users_can_read!r}"
            )
        self._grants(parse_time=True)

    def execute(self, context: Context) -> AssetSummary:
        """Read the policy, merge the grants, write it with the etag read; again on a
        concurrent change."""
        self.check_rendered()
        granted = self._grants(parse_time=False)
        if not granted and self.all_users_can_read is None:
            raise InvalidParameterError(
                "readers", "nothing to grant: give readers, writers, bindings or all_users_can_read"
            )
        for attempt in range(1, MAX_POLICY_ATTEMPTS + 1):
            policy = self._read_policy()
            merged = merged_policy(policy, granted, all_users_can_read=self.all_users_can_read)
            if merged is None:
                summary: AssetSummary = {
                    "asset_id": self.asset_id,
                    "action": "unchanged",
                    "count": 0,
                }
                return self.done(context, summary, f"{self.asset_id} is already shared so")
            try:
                self.hook.set_iam_policy(self.asset_id, merged, project_id=self.project_id)
            except EarthEngineApiError as error:
                if error.status != "ABORTED":
                    raise
                self.log.info(
                    "The policy of %s changed since it was read (try %d of %d); reading again",
                    self.asset_id,
                    attempt,
                    MAX_POLICY_ATTEMPTS,
                )
                continue
            said = "; ".join(f"{role}: {', '.join(members)}" for role, members in granted.items())
            if self.all_users_can_read is not None:
                said += f"; allUsers can read: {self.all_users_can_read}"
            summary = {"asset_id": self.asset_id, "action": "shared", "count": 1}
            return self.done(context, summary, f"Shared {self.asset_id}: {said.lstrip('; ')}")
        raise AirflowException(
            f"The IAM policy of {self.asset_id} changed between every read and write, "
            f"{MAX_POLICY_ATTEMPTS} times: someone else is editing it. Nothing was written."
        )

    def _read_policy(self) -> dict[str, Any]:
        policy: dict[str, Any] = self.hook.get_iam_policy(self.asset_id, project_id=self.project_id)
        return policy

    def _grants(self, *, parse_time: bool) -> dict[str, tuple[str, ...]]:
        """``{role: members}`` of every grant; at parse time only what is known then."""
        checked: dict[str, Any] = {}
        for name in ("readers", "writers", "bindings"):
            value = getattr(self, name)
            if parse_time and pending(name, value):
                continue
            try:
                if name == "bindings":
                    checked[name] = check_bindings(value, name)
                else:
                    checked[name] = check_members(value, name)
            except InvalidRequestError as error:
                raise InvalidParameterError(name, error.rule) from None
        return grants(
            checked.get("readers", ()), checked.get("writers", ()), checked.get("bindings")
        )

    def lineage(self) -> tuple[list[Touched], list[Touched]]:
        """Writes the asset's policy in place (lifecycle change ``ALTER``)."""
        return [], [Touched(str(self.asset_id), "ALTER")]
