"""The welfare-xl Excel add-in (``welfare_xl.xlam``): build and install.

The add-in is generated on any OS from text sources in the repository's
``addin/`` folder: a ribbon (customUI14) whose buttons all call one VBA callback,
which hands the button's tag to ``welfare_xl.addin.run`` through xlwings'
``RunPython``. The file formats are written here from Microsoft's specifications:
MS-OVBA (VBA project streams and compression), MS-CFB (the compound file holding
them) and the OOXML add-in package.

Public API (used by the ``welfare-xl addin build`` / ``welfare-xl addin install``
commands):

* :func:`build_addin` — write the .xlam (default ``addin/welfare_xl.xlam``);
* :func:`install_addin` — copy it into Excel's XLSTART folder and write the
  ``welfare_xl.conf`` that tells the add-in which Python to run.

Both raise :class:`AddinError` subclasses with Japanese messages for problems the
user can fix.
"""

from __future__ import annotations

from welfare_xl.xlam.build import ADDIN_FILENAME, TAB_LABEL, XLWINGS_PROJECT_NAME, build_addin, build_addin_bytes
from welfare_xl.xlam.errors import AddinBuildError, AddinError, AddinInstallError
from welfare_xl.xlam.install import install_addin

__all__ = [
    "ADDIN_FILENAME",
    "TAB_LABEL",
    "XLWINGS_PROJECT_NAME",
    "AddinBuildError",
    "AddinError",
    "AddinInstallError",
    "build_addin",
    "build_addin_bytes",
    "install_addin",
]
