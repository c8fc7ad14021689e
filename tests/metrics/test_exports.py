"""CSV and XLSX of any table: Excel-friendly, formula-safe."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from apps.metrics.exports import Percent, neutralise, to_csv, to_xlsx

HEADERS = ["名称", "Count", "Rate"]
ROWS = [
    ["青龙社区", 8, Percent(0.75)],
    ['=HYPERLINK("http://evil")', -3, None],
    ["+1", 2.5, Percent(0.6667)],
    ["-2", 0, Percent(0)],
    ["@SUM(A1)", 1, None],
]


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_cells():
    rows = read_csv(to_csv(HEADERS, ROWS))
    assert rows == [
        ["名称", "Count", "Rate"],
        ["青龙社区", "8", "75.00%"],
        ['\'=HYPERLINK("http://evil")', "-3", "—"],
        ["'+1", "2.5", "66.67%"],
        ["'-2", "0", "0.00%"],
        ["'@SUM(A1)", "1", "—"],
    ]


def test_neutralise():
    assert [neutralise(s) for s in ("=1+1", "+x", "-x", "@x", "\tx", "ok", "", "1=1")] == [
        "'=1+1", "'+x", "'-x", "'@x", "'\tx", "ok", "", "1=1",
    ]  # fmt: skip


def test_xlsx_opens_with_openpyxl_and_keeps_numbers():
    book = load_workbook(io.BytesIO(to_xlsx(HEADERS, ROWS, title="rates")))
    sheet = book.active
    assert sheet.title == "rates"
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == ["名称", "Count", "Rate"]
    assert values[1] == ["青龙社区", 8, 0.75]
    assert values[2] == ['\'=HYPERLINK("http://evil")', -3, "—"]
    assert values[4] == ["'-2", 0, 0]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet["C2"].number_format == "0.00%"
    # No cell became a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    # Widths follow the content (CJK counted double), within bounds.
    assert sheet.column_dimensions["A"].width >= 20
    assert 8 <= sheet.column_dimensions["B"].width <= 60
    assert sheet.freeze_panes == "A2"


def test_dates_are_local_time():
    sh = ZoneInfo("Asia/Shanghai")
    when = datetime(2026, 3, 31, 15, 30, tzinfo=ZoneInfo("UTC"))  # 23:30 in Shanghai
    rows = [[date(2026, 3, 1), when]]
    assert read_csv(to_csv(["day", "at"], rows))[1] == ["2026-03-01", "2026-03-31 23:30"]
    sheet = load_workbook(io.BytesIO(to_xlsx(["day", "at"], rows))).active
    assert sheet["B2"].value == datetime(2026, 3, 31, 23, 30)
    assert when.astimezone(sh).hour == 23


def test_empty_table():
    assert read_csv(to_csv(["a"], [])) == [["a"]]
    assert [list(r) for r in load_workbook(io.BytesIO(to_xlsx(["a"], []))).active.iter_rows(values_only=True)] == [
        ["a"]
    ]
