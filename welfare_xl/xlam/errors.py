"""Exceptions of the add-in builder and installer.

They belong to the project's one family of user errors (`welfare_xl.errors`),
so the CLI shows their Japanese messages instead of a generic failure.
"""

from __future__ import annotations

from welfare_xl.errors import AddinBuildError, AddinError, AddinInstallError

__all__ = ["AddinBuildError", "AddinError", "AddinInstallError"]
