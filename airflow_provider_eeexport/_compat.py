"""Every Airflow name the provider uses, imported here and only here.

Airflow 3.3 is the primary target; older lines get their fallbacks in this one module, so the
rest of the package never has to know which Airflow it runs on.
"""

from __future__ import annotations

from importlib.metadata import version as _dist_version

from packaging.version import Version

AIRFLOW_VERSION = Version(Version(_dist_version("apache-airflow")).base_version)
AIRFLOW_V_3_3_PLUS = Version("3.3.0") <= AIRFLOW_VERSION

try:  # Airflow 3
    from airflow.sdk import BaseHook
except ImportError:  # Airflow 2.11
    from airflow.hooks.base import BaseHook  # type: ignore[no-redef]

__all__ = ["AIRFLOW_VERSION", "AIRFLOW_V_3_3_PLUS", "BaseHook"]
