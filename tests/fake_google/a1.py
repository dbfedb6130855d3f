"""A1 notation for the Sheets fake: "Sheet1!A1:B2", "'My sheet'!A:C", "A1", "Sheet1", "2:5"."""
from __future__ import annotations

import re
from dataclasses import dataclass

_CELLS = re.compile(r"^([A-Za-z]{0,3})(\d*)(?::([A-Za-z]{0,3})(\d*))?$")  # columns end at ZZZ


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_name(row: int, col: int) -> str:
    return f"{column_letters(col)}{row + 1}"


def quote_title(title: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title) and not re.fullmatch(r"[A-Za-z]{1,3}\d+", title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class Span:
    """A block of cells, 0-based; end_row/end_col exclusive; None = to the grid's edge.

    ``anchor``: the range named a single cell (or a whole sheet), so values written
    there may extend beyond it (Sheets' values.update behaviour).
    """

    start_row: int
    start_col: int
    end_row: int | None
    end_col: int | None
    anchor: bool = False

    def bounded(self, rows: int, cols: int) -> "Span":
        return Span(self.start_row, self.start_col,
                    rows if self.end_row is None else self.end_row,
                    cols if self.end_col is None else self.end_col, self.anchor)

    def a1(self, rows: int, cols: int) -> str:
        b = self.bounded(rows, cols)
        first = cell_name(b.start_row, b.start_col)
        last = cell_name(b.end_row - 1, b.end_col - 1)
        return first if first == last else f"{first}:{last}"


def split_sheet(text: str) -> tuple[str | None, str]:
    """("Sheet name" or None, cell part) of a range."""
    if text.startswith("'"):
        i, title = 1, ""
        while i < len(text):
            if text[i] == "'" and text[i + 1:i + 2] == "'":
                title += "'"
                i += 2
            elif text[i] == "'":
                break
            else:
                title += text[i]
                i += 1
        rest = text[i + 1:]
        if rest.startswith("!"):
            return title, rest[1:]
        if rest:
            raise ValueError(text)
        return title, ""
    if "!" in text:
        title, cells = text.rsplit("!", 1)
        return title, cells
    return None, text


def parse_cells(cells: str) -> Span:
    if cells == "":
        return Span(0, 0, None, None, anchor=True)
    m = _CELLS.match(cells)
    if not m:
        raise ValueError(cells)
    c1, r1, c2, r2 = m.groups()
    if c2 is None and r2 is None:  # a single reference: "A1", "A", "1"
        if c1 and r1:
            row, col = int(r1) - 1, column_index(c1)
            if row < 0:
                raise ValueError(cells)
            return Span(row, col, row + 1, col + 1, anchor=True)
        if c1:
            col = column_index(c1)
            return Span(0, col, None, col + 1)
        if r1:
            row = int(r1) - 1
            return Span(row, 0, row + 1, None)
        raise ValueError(cells)
    if not (c1 or r1) or not (c2 or r2):
        raise ValueError(cells)
    start_row = int(r1) - 1 if r1 else 0
    end_row = int(r2) if r2 else None
    if r1 and r2 and int(r2) < int(r1):  # "B5:A1" means "A1:B5"
        start_row, end_row = int(r2) - 1, int(r1)
    start_col = column_index(c1) if c1 else 0
    end_col = column_index(c2) + 1 if c2 else None
    if c1 and c2 and column_index(c2) < column_index(c1):
        start_col, end_col = column_index(c2), column_index(c1) + 1
    if start_row < 0 or (end_row is not None and end_row <= 0):
        raise ValueError(cells)
    return Span(start_row, start_col, end_row, end_col)
