"""Two workbooks compared as openpyxl reads them: every cell's value, type and style, row heights, column
widths, merged ranges, sheet order, visibility and protection, defined names and print settings."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from openpyxl import load_workbook


def _xml(obj: Any) -> str:
    from openpyxl.xml.functions import tostring

    tree = obj.to_tree()
    if tree is None:
        return ""
    # A flag written as false and one left out read the same in Excel (an office suite spells them out).
    return re.sub(r'\s\w+="(?:0|false)"', "", tostring(tree).decode())


_STYLES: dict[tuple[int, tuple], tuple] = {}


def _alignment(al: Any) -> tuple:
    """Alignment as Excel reads it: an absent flag and a false one are the same (openpyxl writes
    `wrapText="0"` back as absent; a file saved by LibreOffice spells it out)."""
    return (al.horizontal, al.vertical, al.textRotation or 0, bool(al.wrapText), bool(al.shrinkToFit),
            al.indent or 0, al.relativeIndent or 0, bool(al.justifyLastLine), al.readingOrder or 0)


def _style(cell: Any) -> tuple:
    """A cell's whole style as text; cells of one workbook that share a style record share the text."""
    style = getattr(cell, "_style", None)  # the cell's indexes into its workbook's style tables
    key = (id(cell.parent.parent), tuple(style) if style is not None else None)
    if key not in _STYLES:
        _STYLES[key] = (repr(cell.font), repr(cell.fill), repr(cell.border), _alignment(cell.alignment),
                        cell.number_format, repr(cell.protection))
    return _STYLES[key]


def _sheet_facts(ws: Any) -> dict[str, Any]:
    rows = {r for r, d in ws.row_dimensions.items() if d.height is not None or d.hidden}
    return {
        "state": ws.sheet_state,
        "protection": repr(ws.protection),
        "merged": sorted(str(m) for m in ws.merged_cells.ranges),
        "heights": {r: (ws.row_dimensions[r].height, ws.row_dimensions[r].hidden) for r in sorted(rows)},
        "widths": {k: (d.width, d.hidden) for k, d in sorted(ws.column_dimensions.items())},
        "freeze": ws.freeze_panes,
        "print_titles": ws.print_title_rows,
        "print_area": ws.print_area,
        "page_setup": repr(ws.page_setup),
        "margins": repr(ws.page_margins),
        "print_options": repr(ws.print_options),
        "footer": _xml(ws.HeaderFooter),
        "fit": repr(ws.sheet_properties.pageSetUpPr),
        "tab": repr(ws.sheet_properties.tabColor),
        "names": sorted((n, repr(d)) for n, d in ws.defined_names.items()),
        "validations": repr(ws.data_validations.dataValidation),
        "conditional": sorted(str(r.sqref) for r in ws.conditional_formatting),
        "dimension": (ws.max_row, ws.max_column),
    }


def differences(a: Path, b: Path, *, keep_vba: bool = False, limit: int = 20) -> list[str]:
    """What differs between the two workbooks (empty when they are the same), at most `limit` lines."""
    wa, wb = load_workbook(a, keep_vba=keep_vba), load_workbook(b, keep_vba=keep_vba)
    _STYLES.clear()  # keyed by the workbooks' ids, which a later call may reuse
    out: list[str] = []
    if wa.sheetnames != wb.sheetnames:
        return [f"sheets {wa.sheetnames} != {wb.sheetnames}"]
    if sorted((n, repr(d)) for n, d in wa.defined_names.items()) != sorted(
            (n, repr(d)) for n, d in wb.defined_names.items()):
        out.append("workbook defined names differ")
    if repr(wa.security) != repr(wb.security):
        out.append("workbook protection differs")
    for name in wa.sheetnames:
        sa, sb = wa[name], wb[name]
        fa, fb = _sheet_facts(sa), _sheet_facts(sb)
        out += [f"{name}: {k}: {fa[k]!r} != {fb[k]!r}"[:300] for k in fa if fa[k] != fb[k]]
        # Once per sheet: openpyxl's max_row/max_column scan every cell each time they are read.
        rows, cols = max(fa["dimension"][0], fb["dimension"][0]), max(fa["dimension"][1], fb["dimension"][1])
        for row in range(1, rows + 1):
            for col in range(1, cols + 1):
                ca, cb = sa.cell(row, col), sb.cell(row, col)
                if (ca.value, ca.data_type) != (cb.value, cb.data_type) or type(ca.value) is not type(cb.value):
                    out.append(f"{name}!{ca.coordinate}: {ca.value!r}/{ca.data_type} != {cb.value!r}/{cb.data_type}")
                elif _style(ca) != _style(cb):
                    out.append(f"{name}!{ca.coordinate}: style {_style(ca)} != {_style(cb)}"[:400])
                if len(out) >= limit:
                    return out
    if keep_vba and (wa.vba_archive is None) != (wb.vba_archive is None):
        out.append("VBA part differs")
    return out
