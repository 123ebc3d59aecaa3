"""Offices to benchmark: a survey and a folder of filled returns, of any number of files and rows.

`sample_office` is the shipped sample (templates/調査票.xlsx, its five departments
filled as the demo fills them); `synthetic_office` is a generated plan of D
departments × R indicators, filled the way people type ("1,234人", "１２３件",
texts). `clone_returns` then makes N returns out of the filled ones fast: each
filled workbook is read once and re-packed with its docProps/core.xml stored
(not deflated), and every copy is those bytes with another saved time patched in
(and the CRC that goes with it), so 10,000 files take about a second instead of
10,000 openpyxl saves. The copies of one department differ only in their saved
time, as resubmissions do: the newest counts, the others are superseded.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import struct
import zipfile
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

STAMP = re.compile(rb"(<dcterms:modified[^>]*>)([^<]*)(</dcterms:modified>)")
UNITS = [("人", "count"), ("件", "count"), ("団体", "count"), ("%", "percent"), ("人/km", "rate")]
BASE_TIME = datetime(2020, 5, 1, 9, 0, tzinfo=timezone.utc)


def sample_office(workdir: Path) -> tuple[Path, Path]:
    """The shipped template and the demo's filled returns (one per department, the newest of each)."""
    from welfare_xl.commands.demo import TEMPLATE, load_sample
    from welfare_xl.commands.split import split
    from welfare_xl.files.returns import fill_returned

    survey = workdir / "調査票.xlsx"
    shutil.copy(TEMPLATE, survey)
    dist = {p.stem: p for p in split(survey, workdir / "配布")}
    filled = workdir / "記入済"
    filled.mkdir()
    for s in load_sample():  # a later file of the same department replaces the earlier one
        fill_returned(dist[s["department"]], s["values"], s["texts"], saved=s["saved"],
                      out=filled / f"{s['department']}.xlsx")
    return survey, filled


def synthetic_source(departments: int, rows: int, seed: int = 1) -> dict:
    """A plan with `departments` departments of `rows` indicators each (rows 5..9 of each ten: sub-items)."""
    rnd = random.Random(seed)
    goals = [{"no": g, "name": f"基本目標{g}の名称", "directions": ["施策の方向A", "施策の方向B"],
              "pages": f"{g * 10}-{g * 10 + 3}"} for g in range(1, 7)]
    indicators = []
    for d in range(departments):
        dept = f"第{d + 1:03d}課"
        for n in range(rows):
            unit, kind = UNITS[n % len(UNITS)]
            base = rnd.randint(50, 5000)
            fmt = (lambda v: f"{v / 1000:.1%}") if kind == "percent" else (lambda v: f"{v / 100:.2f}{unit}") \
                if kind == "rate" else (lambda v: f"{v:,}{unit}")
            item_no = n - (n % 5) if n % 10 >= 5 else n
            indicators.append({
                "id": f"D{d + 1:03d}-{n + 1:03d}", "goal": 1 + (d + n) % 6, "department": dept,
                "item": f"指標{item_no + 1}の名称（{dept}）", "sub_item": f"細目{n % 5 + 1}" if n % 10 >= 5 else "",
                "unit": unit, "kind": kind,
                "values": {"2017": fmt(base), "2018": fmt(base + rnd.randint(-20, 40))}, "target": fmt(base + 200),
            })
    indicators.sort(key=lambda i: (i["goal"], i["department"], i["id"]))
    return {
        "plan": {"id": "bench", "name": "ベンチマーク計画", "title": "ベンチマーク計画進捗状況調査票", "label": "資料２",
                 "sheet": "資料２", "start_year": 2019, "target_year": 2023, "baseline_year": 2017,
                 "fiscal_year": 2019, "template_version": "bench.1"},
        "goals": goals, "indicators": indicators,
    }


def synthetic_office(workdir: Path, departments: int, rows: int) -> tuple[Path, Path]:
    """A generated template of departments × rows indicators and one filled return per department."""
    from welfare_xl.commands.split import split
    from welfare_xl.core.model.metadata import SHEET as META_SHEET
    from welfare_xl.core.model.metadata import SURVEY, to_grid
    from welfare_xl.core.model.source import parse_source
    from welfare_xl.core.sheets.master import survey_sheet
    from welfare_xl.core.sheets.spec import grid_spec
    from welfare_xl.files.returns import fill_returned
    from welfare_xl.files.writer import write_specs

    src = parse_source(synthetic_source(departments, rows))
    survey = src.survey
    template = workdir / "調査票.xlsx"
    write_specs(template, [survey_sheet(survey, decimals=src.decimals),
                           grid_spec(META_SHEET, to_grid(survey, SURVEY), hidden=True)])
    filled = workdir / "記入済"
    rnd = random.Random(2)
    for n, path in enumerate(split(template, filled)):
        mine = [i for i in survey.indicators if i.department == path.stem]
        values = {}
        for i in mine:
            v = rnd.randint(60, 5000)
            values[i.id] = (f"{v / 100:.1f}%" if i.kind.value == "percent" else f"{v / 100:.2f}"
                            if i.kind.value == "rate" else f"{v:,}{i.unit}" if v % 2
                            else str(v).translate(str.maketrans("0123456789", "０１２３４５６７８９")))
        texts = {i.id: (f"{i.item}について、前年度の課題を踏まえて事業を実施した。", "引き続き取り組む。")
                 for i in mine if i.lead}
        fill_returned(path, values, texts, saved=BASE_TIME + timedelta(minutes=n))
    return template, filled


class _Patchable:
    """A workbook's bytes with core.xml stored, and where its saved time and CRCs sit."""

    def __init__(self, path: Path) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "docProps/core.xml":
                    data = STAMP.sub(rb"\g<1>2000-01-01T00:00:00Z\g<3>", data)
                    info.compress_type = zipfile.ZIP_STORED
                    self.core = data
                dst.writestr(info, data)
        self.data = bytearray(buf.getvalue())
        with zipfile.ZipFile(io.BytesIO(bytes(self.data))) as z:
            info = z.getinfo("docProps/core.xml")
        name_len, extra_len = struct.unpack("<HH", self.data[info.header_offset + 26:info.header_offset + 30])
        start = info.header_offset + 30 + name_len + extra_len
        self.stamp_at = start + STAMP.search(self.core).start(2)
        self.local_crc = info.header_offset + 14
        self.central_crc = self._central_entry(info.filename) + 16

    def _central_entry(self, name: str) -> int:
        at = self.data.find(b"PK\x01\x02")
        while at >= 0:
            n = struct.unpack("<H", self.data[at + 28:at + 30])[0]
            if self.data[at + 46:at + 46 + n].decode() == name:
                return at
            at = self.data.find(b"PK\x01\x02", at + 46)
        raise ValueError(name)

    def copy(self, saved: datetime) -> bytes:
        stamp = saved.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
        self.data[self.stamp_at:self.stamp_at + 20] = stamp
        crc = struct.pack("<I", zlib.crc32(STAMP.sub(rb"\g<1>" + stamp + rb"\g<3>", self.core)))
        self.data[self.local_crc:self.local_crc + 4] = crc
        self.data[self.central_crc:self.central_crc + 4] = crc
        return bytes(self.data)


def clone_returns(filled: Path, folder: Path, files: int) -> Path:
    """`files` returns in `folder`, made from the filled ones in turn, each saved a minute after the last."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    sources = [_Patchable(p) for p in sorted(filled.glob("*.xlsx"))]
    names = [p.stem for p in sorted(filled.glob("*.xlsx"))]
    for n in range(files):
        k = n % len(sources)
        (folder / f"{names[k]}_{n:05d}.xlsx").write_bytes(sources[k].copy(BASE_TIME + timedelta(minutes=n)))
    return folder
