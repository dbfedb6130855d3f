"""The one formula-safe ``.xlsx`` writer: every workbook the service writes puts its cells and saves through here.

Respondent text is data, never a formula (DESIGN.md principle 5).  openpyxl
turns a string assigned to a cell into a formula when it starts with ``=``
(and into an error value when it reads like ``#N/A``); :func:`put` and
:func:`append_row` store every string as text instead, so ``=1+2`` typed into
a form stays the five characters ``=1+2`` in the workbook.  Numbers, dates and
None are written as openpyxl writes them.

:func:`save_workbook` writes to a temporary file in the target's directory and
moves it into place (``os.replace``, atomic on one file system), so a full disk
or a crash leaves the previous workbook intact.  The temporary file is made by
``tempfile.mkstemp`` and set to mode 0600 (it holds e-mails and answers), so the workbook
is readable by its owner only.  A crash between the two steps leaves the temporary file
(``.<name>.<random>.xlsx``) behind; :func:`remove_stale_temp_files` removes such files when
the workbooks' folder is opened.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from automation.errors import BackendError

#: A temporary workbook older than this (seconds) is left over from a crash: no save takes this long.
STALE_TEMP_SECONDS = 600


def as_text(cell: Cell) -> Cell:
    """Mark ``cell`` as text when its value is a string (never a formula or an error value); returns the cell."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def put(ws: Worksheet, row: int, column: int, value: Any = None) -> Cell:
    """Write ``value`` to the cell at ``row``, ``column`` (1-based) of ``ws``; a string is stored as text.

    Returns the cell, so a caller can style it (``put(ws, 1, 1, "Код").font = bold``).
    ``value`` None leaves the cell empty.
    """
    cell = ws.cell(row=row, column=column)
    if value is not None:
        cell.value = value
    return as_text(cell)


def append_row(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append ``values`` as the next row of ``ws`` (as ``Worksheet.append`` does); strings are stored as text."""
    values = list(values)
    ws.append(values)
    row = ws.max_row
    for column in range(1, len(values) + 1):
        as_text(ws.cell(row=row, column=column))


def save_workbook(wb: Workbook, path: str | Path, retry: str = "try again") -> Path:
    """Save ``wb`` to ``path`` atomically (a temporary file next to it, then ``os.replace``); returns the path.

    The directory is made if missing.  Raises :class:`BackendError` when the file cannot
    be written (e.g. the disk is full); the previous workbook is then kept and the message
    ends with "Free some disk space and <retry>."
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".xlsx", dir=target.parent)
    try:
        os.fchmod(fd, 0o600)  # mkstemp's mode today; said here because the file holds e-mails and answers
    finally:
        os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise BackendError(f"Could not write the workbook {target} ({e.strerror}); the previous version is kept. "
                           f"Free some disk space and {retry}.") from None
    return target


def remove_stale_temp_files(directory: str | Path, older_than: float = STALE_TEMP_SECONDS) -> list[Path]:
    """Remove the temporary workbooks (``.<name>.<random>.xlsx``) a crash left in ``directory``; returns them.

    Only files not modified for ``older_than`` seconds are removed, so a save under way in another
    process (e.g. ``serve`` while ``run`` syncs) keeps its file.  A missing directory is nothing to do;
    a file that cannot be removed is left (the next start tries again).
    """
    d = Path(directory)
    if not d.is_dir():
        return []
    removed = []
    limit = time.time() - older_than
    for p in d.glob(".*.xlsx"):
        try:
            if p.is_file() and not p.is_symlink() and p.stat().st_mtime < limit:
                p.unlink()
                removed.append(p)
        except OSError:
            continue
    return removed
