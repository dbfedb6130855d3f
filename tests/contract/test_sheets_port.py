"""The sheets port's contract, run against the .xlsx workbooks and Google Sheets (the fake Google).

What every SheetsPort promises (automation/workspace/ports.py, DESIGN.md principles 4 and 5):

* ``write_responses`` returns where the worksheet is (a path or a URL);
* the worksheet then holds exactly ``header`` + ``rows``: text (Kyrgyz, Russian), numbers and
  empty cells come back as written, and each form has its own worksheet;
* a write replaces the worksheet whole: a shorter rewrite leaves nothing of a longer one, and
  writing the same rows again gives the same worksheet;
* respondent text is text, never a formula, whatever it starts with;
* (Google) one write request per sync once the worksheet exists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from automation.workspace.google import GoogleSheets, Memo
from automation.workspace.google.sheets import sheet_title
from automation.workspace.local import XlsxSheets
from automation.workspace.ports import SheetsPort
from contract.support import connect

HEADER = ["Отметка времени", "Адрес электронной почты", "Областы / Область", "Баалоо / Оценка", "Пикир / Отзыв"]
ROWS: list[list[Any]] = [
    ["01.08.2022 10:15:00", "aigul@example.org", "Нарын", 5, "Абдан пайдалуу болду."],
    ["01.08.2022 11:40:00", "bermet@example.org", "Ошская", 4, None],
    ["02.08.2022 09:05:00", None, "г. Бишкек", 3, "Хотелось бы больше практики."],
]
#: Respondent text a spreadsheet would take for a formula (or a number, or a function call) if typed in.
FORMULA_LIKE = ["=1+2", "+996 555 123 456", "-бюджет жок", "@все", "=HYPERLINK(\"http://x.example\",\"a\")"]


def plain(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows with empty cells as "" and trailing empty cells and rows dropped (how both backends read back)."""
    out = []
    for r in rows:
        r = ["" if v is None else v for v in r]
        while r and r[-1] == "":
            r.pop()
        out.append(r)
    while out and not out[-1]:
        out.pop()
    return out


class SheetsPortContract:
    """The shared tests; a subclass gives the port (fixture ``sheets``) and how to read a worksheet back."""

    @pytest.fixture
    def sheets(self, *args: Any) -> SheetsPort:
        raise NotImplementedError

    def read(self, sheets: Any, form_key: str, where: str) -> list[list[Any]]:
        """The form's worksheet as rows of values (see :func:`plain`)."""
        raise NotImplementedError

    def is_text(self, sheets: Any, form_key: str, where: str, row: int, col: int) -> bool:
        """Whether the cell (1-based) is stored as text, not as a formula."""
        raise NotImplementedError

    def test_write_returns_where_the_worksheet_is(self, sheets):
        where = sheets.write_responses("ev.feedback", "Отзыв", HEADER, ROWS)
        assert isinstance(where, str) and where

    def test_the_worksheet_holds_the_header_and_rows_as_written(self, sheets):
        where = sheets.write_responses("ev.feedback", "Отзыв", HEADER, ROWS)
        assert self.read(sheets, "ev.feedback", where) == plain([HEADER] + ROWS)

    def test_each_form_has_its_own_worksheet(self, sheets):
        a = sheets.write_responses("ev.feedback", "Отзыв", HEADER, ROWS)
        b = sheets.write_responses("ev.post_test", "Тест", ["Отметка времени", "Балл"], [["x", 7]])
        assert a != b
        assert self.read(sheets, "ev.feedback", a) == plain([HEADER] + ROWS)
        assert self.read(sheets, "ev.post_test", b) == [["Отметка времени", "Балл"], ["x", 7]]

    def test_a_shorter_rewrite_leaves_nothing_of_the_longer_one(self, sheets):
        sheets.write_responses("ev.feedback", "Отзыв", HEADER + ["Ещё"], [r + ["лишнее"] for r in ROWS])
        where = sheets.write_responses("ev.feedback", "Отзыв", HEADER[:2], [ROWS[0][:2]])
        assert self.read(sheets, "ev.feedback", where) == plain([HEADER[:2], ROWS[0][:2]])

    def test_writing_the_same_rows_again_gives_the_same_worksheet(self, sheets):
        first = sheets.write_responses("ev.feedback", "Отзыв", HEADER, ROWS)
        before = self.read(sheets, "ev.feedback", first)
        again = sheets.write_responses("ev.feedback", "Отзыв", HEADER, ROWS)
        assert again == first and self.read(sheets, "ev.feedback", again) == before

    def test_respondent_text_is_never_a_formula(self, sheets):
        rows = [["01.08.2022 10:00:00", f"p{i}@example.org", "Нарын", 5, text] for i, text in enumerate(FORMULA_LIKE)]
        where = sheets.write_responses("ev.feedback", "Отзыв", HEADER, rows)
        assert self.read(sheets, "ev.feedback", where)[1:] == rows
        for i in range(len(rows)):
            assert self.is_text(sheets, "ev.feedback", where, row=i + 2, col=5), FORMULA_LIKE[i]


class TestXlsxSheets(SheetsPortContract):
    """The local backend: one .xlsx workbook per form."""

    @pytest.fixture
    def sheets(self, tmp_path: Path) -> XlsxSheets:
        return XlsxSheets(tmp_path / "sheets")

    def read(self, sheets: XlsxSheets, form_key: str, where: str) -> list[list[Any]]:
        ws = load_workbook(where).worksheets[0]
        return plain([list(r) for r in ws.iter_rows(values_only=True)])

    def is_text(self, sheets: XlsxSheets, form_key: str, where: str, row: int, col: int) -> bool:
        return load_workbook(where).worksheets[0].cell(row=row, column=col).data_type == "s"


class TestGoogleSheets(SheetsPortContract):
    """Google Sheets through gspread and the fake Google: one spreadsheet, one worksheet per form."""

    @pytest.fixture
    def sheets(self, fake) -> GoogleSheets:
        self.fake = fake
        return GoogleSheets(connect(fake), Memo(), spreadsheet_title="Клуб — 2022")

    def _book(self, where: str) -> str:
        m = re.fullmatch(r"https://docs\.google\.com/spreadsheets/d/([^/]+)/edit#gid=\d+", where)
        assert m, where
        return m.group(1)

    def read(self, sheets: GoogleSheets, form_key: str, where: str) -> list[list[Any]]:
        return plain(self.fake.sheets.values(self._book(where), "'" + sheet_title(form_key) + "'"))

    def is_text(self, sheets: GoogleSheets, form_key: str, where: str, row: int, col: int) -> bool:
        ref = f"'{sheet_title(form_key)}'!{get_column_letter(col)}{row}"
        cell = self.fake.sheets.cell(self._book(where), ref)
        return cell is not None and not cell.is_formula and isinstance(cell.value, str)

    def test_one_write_per_sync_once_the_worksheet_exists(self, sheets):
        sheets.write_responses("ev.feedback", "Отзыв", HEADER, ROWS)
        for n in range(2, 5):
            self.fake.reset_calls()
            sheets.write_responses("ev.feedback", "Отзыв", HEADER, ROWS * n)
            assert self.fake.calls == {"sheets.values.update": 1}


class TestGoogleSheetsPessimistic(TestGoogleSheets):
    """The same contract with the fake's pessimistic modes (50,000 characters a cell, no legacy error reason)."""

    @pytest.fixture
    def fake(self, clock):
        from fake_google import FakeGoogle

        with FakeGoogle(clock=clock, user_email="club@gmail.com", pessimistic=True) as server:
            yield server
            assert not server.internal_errors, "\n".join(server.internal_errors)
