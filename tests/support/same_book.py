"""Two workbooks compared as openpyxl reads them: every cell's value, type and style, row heights, column
widths, merged ranges, sheet order, visibility and protection, defined names and print settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook


def _xml(obj: Any) -> str:
    from openpyxl.xml.functions import tostring

    tree = obj.to_tree()
    return tostring(tree).decode() if tree is not None else ""


def _style(cell: Any) -> tuple:
    return (repr(cell.font), repr(cell.fill), repr(cell.border), repr(cell.alignment), cell.number_format,
            repr(cell.protection))


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
        for row in range(1, max(sa.max_row, sb.max_row) + 1):
            for col in range(1, max(sa.max_column, sb.max_column) + 1):
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
