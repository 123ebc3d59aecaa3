"""The OOXML package (zip) of a macro-enabled Excel add-in (.xlam).

Parts: a workbook with one empty worksheet and minimal styles, the VBA project
(``xl/vbaProject.bin``), the ribbon (``customUI/customUI14.xml``) and document
properties. What makes the package an add-in is the workbook's content type,
``application/vnd.ms-excel.addin.macroEnabled.main+xml``.

The zip is reproducible byte for byte: entries are written in a fixed order with
a fixed timestamp, fixed attributes and no compression. Stored entries are part of
the OPC standard (ISO/IEC 29500-2 allows "stored" and "deflated") and, unlike
deflate, do not depend on the zlib build, so the committed add-in can be compared
with a fresh build on any machine.
"""

from __future__ import annotations

import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "ADDIN_CONTENT_TYPE",
    "RIBBON_PART",
    "RIBBON_RELATIONSHIP",
    "VBA_PROJECT_PART",
    "build_xlam",
]

ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
RIBBON_PART = "customUI/customUI14.xml"
# The Office 2010 ribbon part (customUI14) is reached through the 2007 relationship
# type; the 2006 type is for the Office 2007 part customUI/customUI.xml.
RIBBON_RELATIONSHIP = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_PROJECT_PART = "xl/vbaProject.bin"

_ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # earliest zip date: carries no build time
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def _relationships(rels: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<Relationship Id={quoteattr(rid)} Type={quoteattr(rtype)} Target={quoteattr(target)}/>"
        for rid, rtype, target in rels
    )
    return f'{_XML_DECLARATION}<Relationships xmlns="{_NS_PKG_REL}">{body}</Relationships>'


def _content_types() -> str:
    overrides = [
        ("/xl/workbook.xml", ADDIN_CONTENT_TYPE),
        ("/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
        ("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"),
        ("/" + VBA_PROJECT_PART, "application/vnd.ms-office.vbaProject"),
        ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
        ("/docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml"),
    ]
    body = (
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        # The ribbon part's content type is plain application/xml ([MS-CUSTOMUI] 2.1).
        '<Default Extension="xml" ContentType="application/xml"/>'
    )
    body += "".join(
        f"<Override PartName={quoteattr(name)} ContentType={quoteattr(ctype)}/>" for name, ctype in overrides
    )
    return (
        f"{_XML_DECLARATION}<Types "
        f'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">{body}</Types>'
    )


def _workbook(workbook_code_name: str, sheet_name: str) -> str:
    # workbookPr/@codeName ties the workbook to its document module (ThisWorkbook).
    return (
        f'{_XML_DECLARATION}<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
        f"<workbookPr codeName={quoteattr(workbook_code_name)}/>"
        "<bookViews><workbookView/></bookViews>"
        f'<sheets><sheet name={quoteattr(sheet_name)} sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    )


def _worksheet(sheet_code_name: str) -> str:
    # sheetPr/@codeName ties the sheet to its document module (Sheet1).
    return (
        f'{_XML_DECLARATION}<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
        f"<sheetPr codeName={quoteattr(sheet_code_name)}/>"
        '<dimension ref="A1"/><sheetData/></worksheet>'
    )


def _styles() -> str:
    # The smallest style sheet Excel accepts: one font, the two mandatory fills,
    # one border, one cell format and the Normal style.
    return (
        f'{_XML_DECLARATION}<styleSheet xmlns="{_NS_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _core_properties(title: str) -> str:
    # No dcterms:created/modified: a timestamp would make every build differ.
    return (
        f"{_XML_DECLARATION}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>welfare-xl</dc:creator>"
        "</cp:coreProperties>"
    )


def _app_properties() -> str:
    return (
        f"{_XML_DECLARATION}<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>welfare-xl</Application></Properties>"
    )


def build_xlam(
    vba_project_bin: bytes,
    ribbon_xml: bytes,
    *,
    title: str,
    workbook_code_name: str = "ThisWorkbook",
    sheet_code_name: str = "Sheet1",
    sheet_name: str = "Sheet1",
) -> bytes:
    """Return the bytes of an .xlam package.

    ``workbook_code_name`` and ``sheet_code_name`` must name the VBA project's
    document modules for the workbook and its one worksheet.
    """
    parts: list[tuple[str, bytes]] = [
        ("[Content_Types].xml", _content_types().encode("utf-8")),
        (
            "_rels/.rels",
            _relationships(
                [
                    ("rId1", f"{_REL_OFFICE}/officeDocument", "xl/workbook.xml"),
                    ("rId2", _REL_CORE, "docProps/core.xml"),
                    ("rId3", f"{_REL_OFFICE}/extended-properties", "docProps/app.xml"),
                    ("rId4", RIBBON_RELATIONSHIP, RIBBON_PART),
                ]
            ).encode("utf-8"),
        ),
        ("docProps/app.xml", _app_properties().encode("utf-8")),
        ("docProps/core.xml", _core_properties(title).encode("utf-8")),
        (RIBBON_PART, bytes(ribbon_xml)),
        ("xl/workbook.xml", _workbook(workbook_code_name, sheet_name).encode("utf-8")),
        (
            "xl/_rels/workbook.xml.rels",
            _relationships(
                [
                    ("rId1", f"{_REL_OFFICE}/worksheet", "worksheets/sheet1.xml"),
                    ("rId2", f"{_REL_OFFICE}/styles", "styles.xml"),
                    ("rId3", _REL_VBA, "vbaProject.bin"),
                ]
            ).encode("utf-8"),
        ),
        ("xl/styles.xml", _styles().encode("utf-8")),
        (VBA_PROJECT_PART, bytes(vba_project_bin)),
        ("xl/worksheets/sheet1.xml", _worksheet(sheet_code_name).encode("utf-8")),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0  # the default depends on the OS building the file
            info.external_attr = 0
            archive.writestr(info, data)
    return buffer.getvalue()
