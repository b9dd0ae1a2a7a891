"""Hook tests use the shared fixtures of tests/conftest.py."""

from tests.conftest import PROJECT

__all__ = ["PROJECT"]
