"""Workbooks on the local backend: one ``.xlsx`` per form under ``sheets/``.

Respondent text is stored as text: a value starting with ``=``, ``+``, ``-`` or
``@`` is never a formula (openpyxl would otherwise write ``=...`` as one).
The file is written to a temporary name and moved into place, so a full disk
or a crash leaves the previous workbook intact.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from automation.errors import BackendError


class XlsxSheets:
    def __init__(self, directory: Path):
        self.dir = Path(directory)

    def path(self, form_key: str) -> Path:
        return self.dir / f"{form_key}.xlsx"

    def write_responses(self, form_key: str, title: str, header: list[str], rows: list[list[Any]]) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        wb = Workbook()
        ws = wb.active
        ws.title = "Responses"
        ws.append(header)
        for c in ws[1]:
            c.font = Font(bold=True)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for r, row in enumerate(rows, start=2):
            for col, v in enumerate(row, start=1):
                cell = ws.cell(row=r, column=col)
                cell.value = v
                if isinstance(v, str):
                    cell.data_type = "s"  # text, never a formula
        for i, h in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(12, len(str(h)) * 0.9))
        ws.freeze_panes = "A2"
        wb.properties.title = title[:255]
        target = self.path(form_key)
        fd, tmp = tempfile.mkstemp(prefix=f".{form_key}.", suffix=".xlsx", dir=self.dir)
        os.close(fd)
        try:
            wb.save(tmp)
            os.replace(tmp, target)
        except OSError as e:
            Path(tmp).unlink(missing_ok=True)
            raise BackendError(f"Could not write the workbook {target} ({e.strerror}); the previous version is kept. "
                               "Free some disk space and run the sync again.") from None
        return str(target)
