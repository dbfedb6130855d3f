"""Workbooks on the local backend: one ``.xlsx`` per form under ``sheets/``.

Cells and the file are written by :mod:`automation.workspace.xlsx`: respondent
text is stored as text (a value starting with ``=``, ``+``, ``-`` or ``@`` is
never a formula), and the file is written to a temporary name and moved into
place, so a full disk or a crash leaves the previous workbook intact; the temporary
files a crash left behind are removed when the sheets are opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from automation.workspace.xlsx import append_row, put, remove_stale_temp_files, save_workbook


class XlsxSheets:
    """The sheets port on the local backend: one workbook ``<directory>/<form_key>.xlsx`` per form.

    Opening it removes the temporary workbooks (``.*.xlsx``, with e-mails and answers) a crash left
    in ``directory`` (:func:`automation.workspace.xlsx.remove_stale_temp_files`).
    """

    def __init__(self, directory: Path):
        self.dir = Path(directory)
        remove_stale_temp_files(self.dir)

    def path(self, form_key: str) -> Path:
        """The workbook of ``form_key``: ``<directory>/<form_key>.xlsx``."""
        return self.dir / f"{form_key}.xlsx"

    def write_responses(self, form_key: str, title: str, header: list[str], rows: list[list[Any]]) -> str:
        """Replace the form's workbook with sheet «Responses»: ``header`` (bold) and one row per response.

        Returns the workbook's path as a string.  Raises :class:`automation.errors.BackendError`
        when the file cannot be written (the previous workbook is kept).
        """
        self.dir.mkdir(parents=True, exist_ok=True)
        wb = Workbook()
        ws = wb.active
        ws.title = "Responses"
        append_row(ws, header)
        for c in ws[1]:
            c.font = Font(bold=True)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for r, row in enumerate(rows, start=2):
            for col, v in enumerate(row, start=1):
                put(ws, r, col, v)
        for i, h in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(12, len(str(h)) * 0.9))
        ws.freeze_panes = "A2"
        wb.properties.title = title[:255]
        return str(save_workbook(wb, self.path(form_key), retry="run the sync again"))
