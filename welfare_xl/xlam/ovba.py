"""The streams of a VBA project storage ([MS-OVBA] 2.2-2.4), written from the spec.

A project is written the way the spec asks a *writer* to write it: ``_VBA_PROJECT``
has version 0xFFFF and no performance cache (2.3.4.1), so Office discards nothing
and compiles every module from its source the first time it opens the file (1.6).
Each module stream therefore holds only its compressed source, at offset 0
(2.3.4.3). ``VBA/dir`` is compressed as a whole (2.3.4.2); ``PROJECT`` and
``PROJECTwm`` are plain (2.3.1, 2.3.3 — compressing ``PROJECTwm`` makes Excel drop
the project).

All sizes written into records are byte lengths of the encoded text, never
character counts: with code page 932 a non-ASCII character takes two bytes.
"""

from __future__ import annotations

import enum
import hashlib
import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from welfare_xl.xlam.cfb import build_compound_file
from welfare_xl.xlam.compression import compress, decompress

__all__ = [
    "VBA_PROJECT_STREAM",
    "ModuleKind",
    "VbaModule",
    "VbaProject",
    "VbaProjectError",
    "VbaReference",
    "build_vba_project_bin",
    "build_vba_project_streams",
    "encrypt_project_data",
    "normalize_source",
    "project_key",
]

#: 2.3.4.1 as written by a writer: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00,
#: Reserved3 0x0001 (spec example 3.1.1), no PerformanceCache.
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")

#: Host extender of every Office VBA project (2.3.1.18, example 3.1.6).
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_VERSION_COMPATIBLE32 = "393222000"
_LCID_EN_US = 0x0409  # 2.3.4.2.1.3: PROJECTLCID and PROJECTLCIDINVOKE MUST be 0x409
_SYSKIND_WIN32 = 0x00000001
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_GUID = re.compile(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}\Z")


class VbaProjectError(ValueError):
    """Raised for a project description that cannot be written correctly."""


class ModuleKind(enum.Enum):
    """Module types as the PROJECT stream and MODULETYPE record distinguish them.

    Only the kinds the add-in has: it ships no class module (addin/README.md).
    """

    STANDARD = "Module"  # procedural module, MODULETYPE 0x0021
    DOCUMENT = "Document"  # ThisWorkbook / sheet modules, MODULETYPE 0x0022


@dataclass(frozen=True)
class VbaModule:
    """One module. ``source`` is the text stored in the module stream, including
    its ``Attribute VB_Name`` line(s); line endings are normalised to CRLF."""

    name: str
    source: str
    kind: ModuleKind = ModuleKind.STANDARD


@dataclass(frozen=True)
class VbaReference:
    """A reference to a registered Automation type library (REFERENCEREGISTERED).

    ``libid`` follows 2.1.1.8, e.g.
    ``*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation``.
    """

    name: str
    libid: str


@dataclass(frozen=True)
class VbaProject:
    """What goes into ``vbaProject.bin``."""

    name: str
    modules: Sequence[VbaModule]
    references: Sequence[VbaReference] = field(default_factory=tuple)
    code_page: int = 932
    #: ProjectId GUID (2.3.1.2); derived from ``name`` when empty, so builds are
    #: reproducible.
    project_id: str = ""

    @property
    def codec(self) -> str:
        return f"cp{self.code_page}"

    @property
    def clsid(self) -> str:
        if self.project_id:
            return self.project_id.upper()
        return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:welfare-xl:vba:{self.name}")).upper() + "}"


def normalize_source(text: str) -> str:
    """Return ``text`` with CRLF line endings and a final line break, as VBA
    stores module source (a bare LF leaves the VBE unable to parse the line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def _encode(text: str, codec: str, what: str) -> bytes:
    try:
        return text.encode(codec)
    except UnicodeEncodeError as exc:
        raise VbaProjectError(f"{what} cannot be encoded in {codec}: {exc}") from exc


def _record(record_id: int, payload: bytes) -> bytes:
    """Id (2 bytes), Size (4 bytes), payload: the common record shape."""
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_pair(record_id: int, reserved_id: int, mbcs: bytes, text: str) -> bytes:
    """An MBCS field followed by its UTF-16 twin under a second id, the shape of
    PROJECTDOCSTRING, PROJECTCONSTANTS, REFERENCENAME, MODULESTREAMNAME, ..."""
    return _record(record_id, mbcs) + _record(reserved_id, text.encode("utf-16-le"))


def project_key(project_clsid: str) -> int:
    """ProjKey of 2.4.3.2: the byte sum of the ProjectCLSID text, modulo 256."""
    return sum(project_clsid.encode("ascii")) & 0xFF


def encrypt_project_data(data: bytes, project_clsid: str, seed: int, ignored: bytes) -> bytes:
    """Data Encryption of 2.4.3.2 (the obfuscation behind CMG, DPB and GC).

    ``seed`` and the ``ignored`` filler are free choices of the writer; the
    number of ignored bytes is fixed by the seed: ``(seed & 6) // 2``.
    """
    if not 0 <= seed <= 0xFF:
        raise VbaProjectError("seed must be a byte")
    if len(ignored) != (seed & 6) // 2:
        raise VbaProjectError("ignored filler length must be (seed & 6) / 2")
    version = 2
    key = project_key(project_clsid)
    version_enc = seed ^ version
    key_enc = seed ^ key
    out = bytearray([seed, version_enc, key_enc])
    unencrypted_1, encrypted_1, encrypted_2 = key, key_enc, version_enc
    for byte in bytes(ignored) + struct.pack("<I", len(data)) + bytes(data):
        byte_enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(byte_enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    return bytes(out)


def _encrypted_property(project: VbaProject, label: str, data: bytes) -> str:
    # The spec lets the writer pick seed and filler freely (random in Office);
    # derive them from the content so that builds are byte-for-byte repeatable.
    digest = hashlib.sha256(f"{project.clsid}|{label}".encode("ascii") + data).digest()
    seed = digest[0]
    ignored = digest[1 : 1 + (seed & 6) // 2]
    return encrypt_project_data(data, project.clsid, seed, ignored).hex().upper()


def _validate(project: VbaProject) -> None:
    if not _IDENTIFIER.match(project.name) or len(project.name) > 128:
        raise VbaProjectError(f"invalid VBA project name: {project.name!r}")
    if not _GUID.match(project.clsid):
        raise VbaProjectError(f"invalid project id: {project.clsid!r}")
    if not project.modules:
        raise VbaProjectError("a VBA project needs at least one module")
    seen: set[str] = {project.name.lower()}
    for module in project.modules:
        # 31 characters is the VBE's limit for module names; ASCII keeps the
        # MBCS and UTF-16 copies trivially consistent.
        if not _IDENTIFIER.match(module.name) or len(module.name) > 31:
            raise VbaProjectError(f"invalid module name: {module.name!r}")
        if module.name.lower() in seen:
            raise VbaProjectError(f"duplicate name (modules and project share a namespace): {module.name!r}")
        seen.add(module.name.lower())
    for reference in project.references:
        if not _IDENTIFIER.match(reference.name):
            raise VbaProjectError(f"invalid reference name: {reference.name!r}")
        if "\x00" in reference.libid or not reference.libid.startswith("*\\G{"):
            raise VbaProjectError(f"invalid registered libid: {reference.libid!r}")


def _dir_stream(project: VbaProject) -> bytes:
    """The decompressed ``VBA/dir`` stream (2.3.4.2), every record in spec order."""
    codec = project.codec
    out = bytearray()
    # PROJECTINFORMATION (2.3.4.2.1)
    out += _record(0x0001, struct.pack("<I", _SYSKIND_WIN32))  # PROJECTSYSKIND
    out += _record(0x0002, struct.pack("<I", _LCID_EN_US))  # PROJECTLCID
    out += _record(0x0014, struct.pack("<I", _LCID_EN_US))  # PROJECTLCIDINVOKE
    out += _record(0x0003, struct.pack("<H", project.code_page))  # PROJECTCODEPAGE
    out += _record(0x0004, _encode(project.name, codec, "project name"))  # PROJECTNAME
    out += _text_pair(0x0005, 0x0040, b"", "")  # PROJECTDOCSTRING (empty)
    out += _text_pair(0x0006, 0x003D, b"", "")  # PROJECTHELPFILEPATH (both copies empty)
    out += _record(0x0007, struct.pack("<I", 0))  # PROJECTHELPCONTEXT
    out += _record(0x0008, struct.pack("<I", 0))  # PROJECTLIBFLAGS: MUST be 0
    # PROJECTVERSION: Reserved MUST be 4, then VersionMajor (4) and VersionMinor (2).
    out += struct.pack("<HIIH", 0x0009, 0x00000004, 1, 0)
    out += _text_pair(0x000C, 0x003C, b"", "")  # PROJECTCONSTANTS (none)
    # PROJECTREFERENCES (2.3.4.2.2)
    for reference in project.references:
        out += _text_pair(0x0016, 0x003E, _encode(reference.name, codec, "reference name"), reference.name)
        libid = _encode(reference.libid, codec, "reference libid")
        # REFERENCEREGISTERED: Size covers SizeOfLibid, Libid, Reserved1, Reserved2.
        out += struct.pack("<HII", 0x000D, 4 + len(libid) + 6, len(libid)) + libid
        out += struct.pack("<IH", 0, 0)
    # PROJECTMODULES (2.3.4.2.3)
    out += _record(0x000F, struct.pack("<H", len(project.modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))  # PROJECTCOOKIE
    for module in project.modules:
        name = _encode(module.name, codec, "module name")
        out += _record(0x0019, name)  # MODULENAME
        out += _record(0x0047, module.name.encode("utf-16-le"))  # MODULENAMEUNICODE
        out += _text_pair(0x001A, 0x0032, name, module.name)  # MODULESTREAMNAME
        out += _text_pair(0x001C, 0x0048, b"", "")  # MODULEDOCSTRING
        out += _record(0x0031, struct.pack("<I", 0))  # MODULEOFFSET: source at offset 0
        out += _record(0x001E, struct.pack("<I", 0))  # MODULEHELPCONTEXT
        out += _record(0x002C, struct.pack("<H", 0xFFFF))  # MODULECOOKIE
        module_type = 0x0021 if module.kind is ModuleKind.STANDARD else 0x0022
        out += struct.pack("<HI", module_type, 0)  # MODULETYPE (Reserved 0)
        out += struct.pack("<HI", 0x002B, 0)  # module Terminator
    out += struct.pack("<HI", 0x0010, 0)  # dir stream Terminator
    return bytes(out)


def _project_stream(project: VbaProject) -> bytes:
    """The ``PROJECT`` stream text (2.3.1) in the project code page."""
    lines = [f'ID="{project.clsid}"']
    for module in project.modules:
        if module.kind is ModuleKind.DOCUMENT:
            lines.append(f"Document={module.name}/&H00000000")
        else:
            lines.append(f"{module.kind.value}={module.name}")
    lines += [
        f'Name="{project.name}"',
        'HelpContextID="0"',
        f'VersionCompatible32="{_VERSION_COMPATIBLE32}"',
        # Not protected (2.3.1.15), no password (2.3.1.16: one 0x00 byte),
        # visible (2.3.1.17: 0xFF).
        f'CMG="{_encrypted_property(project, "CMG", struct.pack("<I", 0))}"',
        f'DPB="{_encrypted_property(project, "DPB", bytes([0x00]))}"',
        f'GC="{_encrypted_property(project, "GC", bytes([0xFF]))}"',
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{module.name}=0, 0, 0, 0, C" for module in project.modules]
    return _encode("\r\n".join(lines) + "\r\n", project.codec, "PROJECT stream")


def _projectwm_stream(project: VbaProject) -> bytes:
    """``PROJECTwm`` (2.3.3): each module name in MBCS and UTF-16, NUL terminated."""
    out = bytearray()
    for module in project.modules:
        out += _encode(module.name, project.codec, "module name") + b"\x00"
        out += module.name.encode("utf-16-le") + b"\x00\x00"
    out += b"\x00\x00"
    return bytes(out)


def _compressed(data: bytes) -> bytes:
    packed = compress(data)
    if decompress(packed) != data:  # cheap insurance: never ship a stream that does not round-trip
        raise VbaProjectError("MS-OVBA compression did not round-trip")
    return packed


def build_vba_project_streams(project: VbaProject) -> dict[str, bytes]:
    """Every stream of the project storage, keyed by path below the storage."""
    _validate(project)
    streams: dict[str, bytes] = {
        "PROJECT": _project_stream(project),
        "PROJECTwm": _projectwm_stream(project),
        "VBA/_VBA_PROJECT": VBA_PROJECT_STREAM,
        "VBA/dir": _compressed(_dir_stream(project)),
    }
    for module in project.modules:
        source = _encode(normalize_source(module.source), project.codec, f"source of {module.name}")
        streams[f"VBA/{module.name}"] = _compressed(source)
    return streams


def build_vba_project_bin(project: VbaProject) -> bytes:
    """``vbaProject.bin``: the project storage as a compound file."""
    return build_compound_file(build_vba_project_streams(project))
