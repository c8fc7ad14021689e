"""Any table as CSV or XLSX. A table is (headers: list[str], rows: list[list]); the portal's
"export" buttons and the metrics export API both call ``to_csv`` / ``to_xlsx``.

Cells may be str, int, float, Decimal, date/datetime, None (written "—") or ``Percent``
(a fraction: "87.50%" in CSV, a number formatted 0.00% in XLSX, so Excel can still sum it).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

EMPTY = "—"
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection, OWASP);
# tab and carriage return can hide one after a leading blank.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60


class Percent(float):
    """A rate (0..1) that a spreadsheet should show as a percentage."""


def neutralise(text: str) -> str:
    """Prefix a cell that a spreadsheet would run as a formula with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _text(value) -> str:
    if value is None:
        return EMPTY
    if isinstance(value, Percent):
        return f"{float(value) * 100:.2f}%"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return neutralise(str(value))


def to_csv(headers: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads Chinese right), CRLF line ends."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell_value(value):
    if value is None:
        return EMPTY
    if isinstance(value, Percent):
        return float(value)
    if isinstance(value, datetime):
        # Excel has no timezones: local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (bool, int, float, Decimal, date)):
        return value
    return neutralise(str(value))


def _width(value) -> int:
    text = _text(value)
    # CJK characters take two columns.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def to_xlsx(headers: list[str], rows: list[list], *, title: str = "Sheet1") -> bytes:
    """One sheet: a bold, frozen header row, columns as wide as their content (capped)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = (neutralise(title) or "Sheet1")[:31].replace("/", "-")
    sheet.append([neutralise(str(h)) for h in headers])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    widths = [_width(h) for h in headers]
    for row in rows:
        sheet.append([_cell_value(v) for v in row])
        for index, value in enumerate(row):
            if index < len(widths):
                widths[index] = max(widths[index], _width(value))
            else:
                widths.append(_width(value))
    for index, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=index, column=col)
            if isinstance(value, Percent):
                cell.number_format = "0.00%"
            elif isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(value, str):
                # A neutralised cell stays text even if it looks like a number or a formula.
                cell.data_type = "s"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(MAX_COLUMN_WIDTH, max(8, width + 2))
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
