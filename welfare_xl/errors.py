"""The errors a user can cause, and whose message is meant for them.

Every error here is a `UserError`: `str(exc)` is a complete Japanese sentence
naming the file (or what to do), the CLI prints it and exits with `exit_code`,
and the add-in shows it in a message box. Modules raise their own subclasses
(the survey file, a return, the output, the add-in's workbook); anything that
is not a `UserError` is a defect, logged with its traceback.

This module imports nothing of the project, so every layer may use it.
"""

from __future__ import annotations

__all__ = ["AddinBuildError", "AddinError", "AddinInstallError", "UserError"]


class UserError(Exception):
    """Something the user can act on; str(exc) is a complete Japanese sentence naming the file.

    The CLI prints it and exits with `exit_code`; the add-in shows it in a message box.
    """

    exit_code = 2


class AddinError(UserError):
    """The add-in (.xlam) could not be built or installed (message in Japanese)."""


class AddinBuildError(AddinError):
    """The add-in could not be built from its sources."""


class AddinInstallError(AddinError):
    """The add-in or its configuration could not be installed."""
