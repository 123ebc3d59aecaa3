"""Exceptions of the add-in builder and installer.

Their messages are shown to city-hall staff by the CLI, so they are Japanese and
say what to do next.
"""

from __future__ import annotations

__all__ = ["AddinBuildError", "AddinError", "AddinInstallError"]


class AddinError(Exception):
    """Base class of user-facing add-in errors (message in Japanese)."""


class AddinBuildError(AddinError):
    """The add-in could not be built from its sources."""


class AddinInstallError(AddinError):
    """The add-in or its configuration could not be installed."""
