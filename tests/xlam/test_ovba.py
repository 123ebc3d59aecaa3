"""MS-OVBA project streams, checked against the spec's examples and read by olevba."""

from __future__ import annotations

import struct

import olefile
import pytest
from oletools.olevba import VBA_Parser, decompress_stream

from welfare_xl.xlam.ovba import (
    VBA_PROJECT_STREAM,
    ModuleKind,
    VbaModule,
    VbaProject,
    VbaProjectError,
    VbaReference,
    build_vba_project_bin,
    build_vba_project_streams,
    encrypt_project_data,
    normalize_source,
)


def decrypt(hex_text: str) -> tuple[int, bytes, bytes]:
    """MS-OVBA 2.4.3.3 Decryption, written from the spec for the test.
    Returns (version, ignored filler, data)."""
    data = bytes.fromhex(hex_text)
    seed, version_enc, key_enc = data[0], data[1], data[2]
    unencrypted_1, encrypted_1, encrypted_2 = seed ^ key_enc, key_enc, version_enc
    plain = bytearray()
    for byte_enc in data[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    ignored_length = (seed & 6) // 2
    length = int.from_bytes(plain[ignored_length : ignored_length + 4], "little")
    payload = bytes(plain[ignored_length + 4 :])
    assert len(payload) == length
    return seed ^ version_enc, bytes(plain[:ignored_length]), payload


# MS-OVBA 3.1.6 PROJECT Stream Example.
SPEC_PROJECT_ID = "{917DED54-440B-4FD1-A5C1-74ACF261E600}"
SPEC_PROPERTIES = {
    "CMG": ("0705D8E3D8EDDBF1DBF1DBF1DBF1", b"\x00\x00\x00\x00"),  # not protected
    "DPB": ("0E0CD1ECDFF4E7F5E7F5E7", b"\x00"),  # no password
    "GC": ("1517CAF1D6F9D7F9D706", b"\xff"),  # visible
}


@pytest.mark.parametrize("label", SPEC_PROPERTIES)
def test_encryption_reproduces_spec_example(label: str) -> None:
    encrypted, expected_data = SPEC_PROPERTIES[label]
    version, ignored, data = decrypt(encrypted)
    assert (version, data) == (2, expected_data)
    seed = int(encrypted[:2], 16)
    assert encrypt_project_data(data, SPEC_PROJECT_ID, seed, ignored).hex().upper() == encrypted


def sample_project() -> VbaProject:
    return VbaProject(
        name="SampleProject",
        modules=[
            VbaModule("ThisWorkbook", 'Attribute VB_Name = "ThisWorkbook"\n', ModuleKind.DOCUMENT),
            VbaModule(
                "Module1",
                # Japanese in a comment: two bytes per character in code page 932.
                'Attribute VB_Name = "Module1"\nSub Hello()\n    \' 地域福祉計画\n    MsgBox "x"\nEnd Sub',
            ),
        ],
        references=[
            VbaReference(
                "stdole",
                r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\ライブラリ\stdole2.tlb#OLE Automation",
            )
        ],
    )


def dir_records(project: VbaProject) -> list[tuple[int, bytes]]:
    """Walk the decompressed dir stream record by record (olevba's decompressor)."""
    dir_data = bytes(decompress_stream(bytearray(build_vba_project_streams(project)["VBA/dir"])))
    records: list[tuple[int, bytes]] = []
    position = 0
    while position < len(dir_data):
        record_id, size = struct.unpack_from("<HI", dir_data, position)
        if record_id == 0x0009:  # PROJECTVERSION: Reserved(4)=4, Major(4), Minor(2)
            size = 6
            assert struct.unpack_from("<I", dir_data, position + 2)[0] == 4
        records.append((record_id, dir_data[position + 6 : position + 6 + size]))
        position += 6 + size
    assert position == len(dir_data)
    return records


def test_dir_stream_has_every_record_in_spec_order() -> None:
    records = dir_records(sample_project())
    ids = [record_id for record_id, _ in records]
    module = [0x19, 0x47, 0x1A, 0x32, 0x1C, 0x48, 0x31, 0x1E, 0x2C]
    assert ids == [
        0x01, 0x02, 0x14, 0x03, 0x04, 0x05, 0x40, 0x06, 0x3D, 0x07, 0x08, 0x09, 0x0C, 0x3C,
        0x16, 0x3E, 0x0D,
        0x0F, 0x13,
        *module, 0x22, 0x2B,
        *module, 0x21, 0x2B,
        0x10,
    ]  # fmt: skip
    by_id = dict(records)
    assert by_id[0x03] == struct.pack("<H", 932)  # PROJECTCODEPAGE
    assert by_id[0x02] == by_id[0x14] == struct.pack("<I", 0x409)
    assert by_id[0x04] == b"SampleProject"
    assert by_id[0x31] == struct.pack("<I", 0)  # MODULEOFFSET: source at offset 0
    assert by_id[0x0F] == struct.pack("<H", 2)


def test_record_sizes_are_byte_lengths_in_code_page_932() -> None:
    records = dict(dir_records(sample_project()))
    libid = sample_project().references[0].libid
    registered = records[0x0D]
    size_of_libid = struct.unpack_from("<I", registered)[0]
    assert size_of_libid == len(libid.encode("cp932")) == len(libid) + len("ライブラリ")
    assert registered[4 : 4 + size_of_libid].decode("cp932") == libid
    assert registered[4 + size_of_libid :] == b"\x00" * 6


def test_fixed_streams() -> None:
    streams = build_vba_project_streams(sample_project())
    assert streams["VBA/_VBA_PROJECT"] == VBA_PROJECT_STREAM == bytes.fromhex("CC61FFFF000100")
    # PROJECTwm is stored uncompressed: MBCS name, NUL, UTF-16 name, NUL NUL; then NUL NUL.
    assert streams["PROJECTwm"] == (
        b"ThisWorkbook\x00" + "ThisWorkbook".encode("utf-16-le") + b"\x00\x00"
        b"Module1\x00" + "Module1".encode("utf-16-le") + b"\x00\x00" + b"\x00\x00"
    )


def test_project_stream_text() -> None:
    project = sample_project()
    text = build_vba_project_streams(project)["PROJECT"].decode("cp932")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[0] == f'ID="{project.clsid}"'
    assert lines[1:3] == ["Document=ThisWorkbook/&H00000000", "Module=Module1"]
    assert 'Name="SampleProject"' in lines
    assert "[Host Extender Info]" in lines and "[Workspace]" in lines
    values = dict(line.split("=", 1) for line in lines if line.startswith(("CMG=", "DPB=", "GC=")))
    assert decrypt(values["CMG"].strip('"'))[::2] == (2, b"\x00\x00\x00\x00")
    assert decrypt(values["DPB"].strip('"'))[::2] == (2, b"\x00")
    assert decrypt(values["GC"].strip('"'))[::2] == (2, b"\xff")


def test_olevba_reads_every_module_strictly() -> None:
    project = sample_project()
    data = build_vba_project_bin(project)
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT)
    assert ole.parsing_issues == []
    parser = VBA_Parser("vbaProject.bin", data=data, relaxed=False)
    sources = {name: code for _, _, name, code in parser.extract_macros()}
    assert sources == {
        "ThisWorkbook.cls": normalize_source(project.modules[0].source),
        "Module1.bas": normalize_source(project.modules[1].source),
    }
    assert "地域福祉計画" in sources["Module1.bas"]


def test_same_project_same_bytes() -> None:
    assert build_vba_project_bin(sample_project()) == build_vba_project_bin(sample_project())


def test_normalize_source() -> None:
    assert normalize_source("a\nb") == "a\r\nb\r\n"
    assert normalize_source("a\r\nb\r\n") == "a\r\nb\r\n"
    assert normalize_source("a\rb\n") == "a\r\nb\r\n"


@pytest.mark.parametrize(
    "modules",
    [
        [VbaModule("1Bad", "")],
        [VbaModule("A" * 32, "")],
        [VbaModule("Same", ""), VbaModule("same", "")],
        [VbaModule("Proj", "")],  # clashes with the project name
        [VbaModule("Über", "")],
        [],
    ],
)
def test_invalid_projects_are_refused(modules: list[VbaModule]) -> None:
    with pytest.raises(VbaProjectError):
        build_vba_project_streams(VbaProject(name="Proj", modules=modules))


def test_source_outside_the_code_page_is_refused() -> None:
    module = VbaModule("M", 'Attribute VB_Name = "M"\n\' \U0001f600\n')
    with pytest.raises(VbaProjectError):
        build_vba_project_streams(VbaProject(name="Proj", modules=[module]))
