"""Files for people outside trustops: CSV (formula-safe), XLSX (openpyxl) and PDF (fpdf2) from plain rows.

The PDF uses the DejaVu Sans font that ships with matplotlib, so every character of a vendor's or queue's name
prints (the PDF core fonts only know Latin-1).
"""
import csv
import io
from decimal import Decimal
from pathlib import Path

import matplotlib
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """Text must never run as a spreadsheet formula: a leading apostrophe, unless it is a number."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _cell(value):
    if value is None:
        return ""
    return safe_text(value) if isinstance(value, str) else value


def to_csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def to_xlsx(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """One worksheet per (title, header, rows)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_xlsx_value(v) for v in row])
        for i, name in enumerate(header, start=1):
            width = max([len(str(name))] + [len(str(r[i - 1])) for r in rows[:200] if i - 1 < len(r)])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, Decimal):
        return float(value)
    return _cell(value)


class _Document(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator("trustops")
        self.set_auto_page_break(auto=True, margin=12)


def to_pdf(title: str, intro: list[str], tables: list[tuple[str, list[str], list[list]]]) -> bytes:
    pdf = _Document(title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9.5)
    for line in intro:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    for heading, header, rows in tables:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        if not rows:
            pdf.multi_cell(0, 5, "None.", new_x="LMARGIN", new_y="NEXT")
            continue
        with pdf.table(first_row_as_headings=True, text_align="LEFT", line_height=4.6) as table:
            table.row([str(h) for h in header])
            for row in rows:
                table.row(["" if v is None else str(v) for v in row])
    return bytes(pdf.output())
