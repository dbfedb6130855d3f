"""Sheets v4 as gspread uses it: spreadsheets.create/get/batchUpdate and
values.get/update/append/clear/batchGet/batchUpdate/batchClear.

Cells keep what the API would: with ``valueInputOption=RAW`` the value as given (a
string that starts with "=" stays text); with ``USER_ENTERED`` a string starting with
"=" becomes a formula, numeric strings become numbers, TRUE/FALSE booleans, and a
leading apostrophe forces text. The fake evaluates no formula: reading a formula cell
gives :data:`FORMULA_MARKER` + the formula (``valueRenderOption=FORMULA`` gives the
formula itself), and :meth:`SheetsBackend.cell` tells tests what is stored. Every
write is logged in :attr:`SheetsBackend.writes` with its valueInputOption.

Rules enforced (Sheets API reference):
* ``valueInputOption`` is required for values.update/append/batchUpdate;
* ranges must parse and name an existing sheet ("Unable to parse range");
* writes and reads must stay inside the grid ("exceeds grid limits"), except
  values.append, which adds rows; a multi-cell range bounds the data written to it;
* values.batchUpdate and batchUpdate are atomic;
* batchUpdate: addSheet (unique title, unique sheetId), deleteSheet (existing, not the
  last), updateSheetProperties / updateSpreadsheetProperties (``fields`` required),
  appendDimension; other request kinds -> 501 from the fake.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import a1
from .drive import SPREADSHEET
from .errors import ApiError, bad_request

if TYPE_CHECKING:
    from .server import Call, FakeGoogle

FORMULA_MARKER = "#FORMULA:"
DEFAULT_ROWS, DEFAULT_COLS = 1000, 26
REQUEST_KINDS_SUPPORTED = ("addSheet", "deleteSheet", "updateSheetProperties",
                           "updateSpreadsheetProperties", "appendDimension")


@dataclass(frozen=True)
class Cell:
    """A stored cell: ``value`` (str, int, float or bool) or a ``formula``."""

    value: Any = None
    formula: str | None = None
    input_option: str = "RAW"

    @property
    def is_formula(self) -> bool:
        return self.formula is not None


@dataclass
class Write:
    spreadsheet_id: str
    range: str
    value_input_option: str
    cells: int
    method: str


@dataclass
class Sheet:
    properties: dict[str, Any]
    cells: dict[tuple[int, int], Cell]

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def rows(self) -> int:
        return self.properties["gridProperties"]["rowCount"]

    @property
    def cols(self) -> int:
        return self.properties["gridProperties"]["columnCount"]


@dataclass
class Spreadsheet:
    id: str
    properties: dict[str, Any]
    sheets: list[Sheet]

    def clone(self) -> "Spreadsheet":
        return Spreadsheet(self.id, copy.deepcopy(self.properties),
                           [Sheet(copy.deepcopy(s.properties), dict(s.cells)) for s in self.sheets])


def _convert(value: Any, option: str) -> Cell | None:
    """The cell a written value becomes; None = leave the cell as it is."""
    if value is None:
        return None
    if option == "RAW" or not isinstance(value, str):
        return Cell(value=value, input_option=option)
    if value.startswith("="):
        return Cell(formula=value, input_option=option)
    if value.startswith("'"):
        return Cell(value=value[1:], input_option=option)
    if re.fullmatch(r"[+-]?\d+", value.strip()):
        return Cell(value=int(value), input_option=option)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", value.strip()):
        return Cell(value=float(value), input_option=option)
    if value.strip().upper() in ("TRUE", "FALSE"):
        return Cell(value=value.strip().upper() == "TRUE", input_option=option)
    return Cell(value=value, input_option=option)


def _render(cell: Cell, option: str) -> Any:
    if cell.is_formula:
        return cell.formula if option == "FORMULA" else FORMULA_MARKER + cell.formula
    value = cell.value
    if option in ("UNFORMATTED_VALUE", "FORMULA"):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return str(value)


class SheetsBackend:
    #: "Your input contains more than the maximum of 50000 characters in a single cell." (Sheets' answer; the
    #: limit is in Google's "Files you can store in Google Drive": a cell holds at most 50,000 characters)
    CELL_LIMIT = 50_000

    def __init__(self, fake: "FakeGoogle", cell_limit: int | None = None) -> None:
        self.fake = fake
        self.cell_limit = cell_limit
        self.spreadsheets: dict[str, Spreadsheet] = {}
        self.writes: list[Write] = []

    def handlers(self) -> dict[str, Any]:
        return {
            "sheets.spreadsheets.create": self.create,
            "sheets.spreadsheets.get": self.get,
            "sheets.spreadsheets.batchUpdate": self.batch_update,
            "sheets.spreadsheets.values.get": self.values_get,
            "sheets.spreadsheets.values.batchGet": self.values_batch_get,
            "sheets.spreadsheets.values.update": self.values_update,
            "sheets.spreadsheets.values.batchUpdate": self.values_batch_update,
            "sheets.spreadsheets.values.append": self.values_append,
            "sheets.spreadsheets.values.clear": self.values_clear,
            "sheets.spreadsheets.values.batchClear": self.values_batch_clear,
        }

    # -- test-side helpers ------------------------------------------------------------------

    def create_spreadsheet(self, title: str, *, sheets: list[dict] | None = None,
                           parents: list[str] | None = None, spreadsheet_id: str | None = None) -> dict[str, Any]:
        sid = spreadsheet_id or "1" + self.fake.new_id(43)
        book = Spreadsheet(sid, {"title": title, "locale": "en_US", "autoRecalc": "ON_CHANGE",
                                 "timeZone": "Etc/GMT"}, [])
        for i, spec in enumerate(sheets or [{}]):
            props = spec.get("properties", {})
            book.sheets.append(self._new_sheet(book, props, default_id=0 if i == 0 else None))
        self.spreadsheets[sid] = book
        self.fake.drive.add_file(title, SPREADSHEET, file_id=sid, parents=parents)
        return self._json(book)

    def cell(self, spreadsheet_id: str, ref: str) -> Cell | None:
        """The stored cell at ``ref`` ("Sheet1!B2"), or None if empty."""
        book = self.spreadsheets[spreadsheet_id]
        sheet, span = self._resolve(book, ref)
        return sheet.cells.get((span.start_row, span.start_col))

    def values(self, spreadsheet_id: str, ref: str, render: str = "UNFORMATTED_VALUE") -> list[list[Any]]:
        """Stored values of a range as values.get would render them (trailing empties trimmed)."""
        book = self.spreadsheets[spreadsheet_id]
        sheet, span = self._resolve(book, ref)
        return self._read(sheet, span, render, "ROWS")

    def sheet_titles(self, spreadsheet_id: str) -> list[str]:
        return [s.title for s in self.spreadsheets[spreadsheet_id].sheets]

    # -- JSON ---------------------------------------------------------------------------------

    def _json(self, book: Spreadsheet, include_grid: bool = False) -> dict[str, Any]:
        sheets = []
        for sheet in book.sheets:
            entry: dict[str, Any] = {"properties": copy.deepcopy(sheet.properties)}
            if include_grid:
                rows = self._read(sheet, a1.Span(0, 0, None, None), "UNFORMATTED_VALUE", "ROWS")
                entry["data"] = [{"rowData": [{"values": [self._cell_data(sheet, r, c) for c in range(len(row))]}
                                              for r, row in enumerate(rows)]}]
            sheets.append(entry)
        return {
            "spreadsheetId": book.id,
            "properties": copy.deepcopy(book.properties),
            "sheets": sheets,
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{book.id}/edit",
        }

    @staticmethod
    def _cell_data(sheet: Sheet, r: int, c: int) -> dict[str, Any]:
        cell = sheet.cells.get((r, c))
        if cell is None:
            return {}
        if cell.is_formula:
            return {"userEnteredValue": {"formulaValue": cell.formula}, "formattedValue": _render(cell, "FORMATTED_VALUE")}
        v = cell.value
        key = "boolValue" if isinstance(v, bool) else "numberValue" if isinstance(v, (int, float)) else "stringValue"
        return {"userEnteredValue": {key: v}, "effectiveValue": {key: v}, "formattedValue": _render(cell, "FORMATTED_VALUE")}

    def _new_sheet(self, book: Spreadsheet, props: dict, default_id: int | None = None) -> Sheet:
        ids = {s.properties["sheetId"] for s in book.sheets}
        titles = {s.title.casefold() for s in book.sheets}
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = default_id if default_id is not None and default_id not in ids else None
            while sheet_id is None or sheet_id in ids:
                sheet_id = self.fake.random.randrange(1, 2**31 - 1)
        elif sheet_id in ids:
            raise bad_request(f"Invalid requests: sheet ID {sheet_id} is already in use.")
        title = props.get("title")
        if title is None:
            n = len(book.sheets) + 1
            while f"sheet{n}" in titles:
                n += 1
            title = f"Sheet{n}"
        if title.casefold() in titles:
            raise bad_request(f'A sheet with the name "{title}" already exists. Please enter another name.')
        grid = dict(props.get("gridProperties") or {})
        grid.setdefault("rowCount", DEFAULT_ROWS)
        grid.setdefault("columnCount", DEFAULT_COLS)
        properties = {**copy.deepcopy(props), "sheetId": sheet_id, "title": title,
                      "index": props.get("index", len(book.sheets)), "sheetType": props.get("sheetType", "GRID"),
                      "gridProperties": grid}
        return Sheet(properties, {})

    # -- lookup --------------------------------------------------------------------------------

    def _book(self, spreadsheet_id: str) -> Spreadsheet:
        book = self.spreadsheets.get(spreadsheet_id)
        if book is None:
            raise ApiError(404, "Requested entity was not found.")
        return book

    def _resolve(self, book: Spreadsheet, ref: str) -> tuple[Sheet, a1.Span]:
        try:
            title, cells = a1.split_sheet(ref)
            if title is None:
                by_title = self._sheet_by_title(book, cells)
                if by_title is not None:
                    return by_title, a1.Span(0, 0, None, None, anchor=True)
                return book.sheets[0], a1.parse_cells(cells)
            sheet = self._sheet_by_title(book, title)
            if sheet is None:
                raise ValueError(ref)
            return sheet, a1.parse_cells(cells)
        except ValueError:
            raise bad_request(f"Unable to parse range: {ref}") from None

    @staticmethod
    def _sheet_by_title(book: Spreadsheet, title: str) -> Sheet | None:
        for sheet in book.sheets:
            if sheet.title == title:
                return sheet
        for sheet in book.sheets:
            if sheet.title.casefold() == title.casefold():
                return sheet
        return None

    @staticmethod
    def _range_name(sheet: Sheet, span: a1.Span) -> str:
        return f"{a1.quote_title(sheet.title)}!{span.a1(sheet.rows, sheet.cols)}"

    @staticmethod
    def _check_grid(sheet: Sheet, row: int, col: int) -> None:
        if row >= sheet.rows or col >= sheet.cols:
            raise bad_request(f"Range ({a1.quote_title(sheet.title)}!{a1.cell_name(row, col)}) exceeds grid limits. "
                              f"Max rows: {sheet.rows}, max columns: {sheet.cols}")

    # -- reading -------------------------------------------------------------------------------

    def _read(self, sheet: Sheet, span: a1.Span, render: str, major: str) -> list[list[Any]]:
        b = span.bounded(sheet.rows, sheet.cols)
        self._check_grid(sheet, b.start_row, b.start_col)
        self._check_grid(sheet, b.end_row - 1, b.end_col - 1)
        rows: list[list[Any]] = []
        for (r, c), cell in sheet.cells.items():
            if b.start_row <= r < b.end_row and b.start_col <= c < b.end_col:
                rr, cc = r - b.start_row, c - b.start_col
                if major == "COLUMNS":
                    rr, cc = cc, rr
                while len(rows) <= rr:
                    rows.append([])
                row = rows[rr]
                while len(row) <= cc:
                    row.append("")
                row[cc] = _render(cell, render)
        return rows

    def _value_range(self, sheet: Sheet, span: a1.Span, render: str, major: str) -> dict[str, Any]:
        out: dict[str, Any] = {"range": self._range_name(sheet, span), "majorDimension": major}
        values = self._read(sheet, span, render, major)
        if values:
            out["values"] = values
        return out

    def values_get(self, call: "Call") -> Any:
        book = self._book(call.arg("spreadsheetId"))
        sheet, span = self._resolve(book, call.arg("range"))
        return self._value_range(sheet, span, call.query.get("valueRenderOption", "FORMATTED_VALUE"),
                                 call.query.get("majorDimension", "ROWS"))

    def values_batch_get(self, call: "Call") -> Any:
        book = self._book(call.arg("spreadsheetId"))
        ranges = call.query.get("ranges") or []
        out = []
        for ref in ranges:
            sheet, span = self._resolve(book, ref)
            out.append(self._value_range(sheet, span, call.query.get("valueRenderOption", "FORMATTED_VALUE"),
                                         call.query.get("majorDimension", "ROWS")))
        return {"spreadsheetId": book.id, "valueRanges": out}

    # -- writing -------------------------------------------------------------------------------

    @staticmethod
    def _input_option(value: str | None) -> str:
        if value in (None, "", "INPUT_VALUE_OPTION_UNSPECIFIED"):
            raise bad_request("'valueInputOption' is required but not specified", field="valueInputOption")
        return value

    def _plan_write(self, book: Spreadsheet, ref: str, body: dict, option: str, *, append: bool = False
                    ) -> tuple[Sheet, dict[tuple[int, int], Cell | None], dict[str, Any]]:
        """Work out a values write without applying it: (sheet, {cell: new or None=clear}, reply)."""
        sheet, span = self._resolve(book, ref)
        if body.get("range"):
            other_sheet, other_span = self._resolve(book, body["range"])
            if other_sheet is not sheet or other_span != span:
                raise bad_request(f"Requested range {body['range']!r} does not match the URL range {ref!r}.")
        values = body.get("values") or []
        if body.get("majorDimension") == "COLUMNS":
            width = max((len(v) for v in values), default=0)
            values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        start_row = span.start_row
        if append:  # after the last row that has data in the table's columns
            cols = range(span.start_col, span.end_col if span.end_col is not None else sheet.cols)
            last = max((r for (r, c) in sheet.cells if c in cols), default=span.start_row - 1)
            start_row = max(last + 1, span.start_row)
        height = len(values)
        width = max((len(v) for v in values), default=0)
        if not append and not span.anchor:
            if span.end_row is not None and start_row + height > span.end_row:
                raise bad_request(f"Requested writing within range [{ref}], but tried writing to row "
                                  f"[{start_row + height}]")
            if span.end_col is not None and span.start_col + width > span.end_col:
                raise bad_request(f"Requested writing within range [{ref}], but tried writing to column "
                                  f"[{a1.column_letters(span.start_col + width - 1)}]")
        changes: dict[tuple[int, int], Cell | None] = {}
        for i, row in enumerate(values):
            if not isinstance(row, list):
                raise bad_request(f"Invalid values[{i}]: expected a list of values.")
            if self.cell_limit is not None and any(isinstance(v, str) and len(v) > self.cell_limit for v in row):
                raise bad_request(f"Your input contains more than the maximum of {self.cell_limit} characters in a "
                                  "single cell.")
            for j, value in enumerate(row):
                if isinstance(value, (dict, list)):
                    raise bad_request(f"Invalid values[{i}][{j}]: {value!r}")
                r, c = start_row + i, span.start_col + j
                if not append:
                    self._check_grid(sheet, r, c)
                if value is None:
                    continue
                changes[(r, c)] = None if value == "" else _convert(value, option)
        written = a1.Span(start_row, span.start_col, start_row + max(height, 1), span.start_col + max(width, 1))
        reply = {"spreadsheetId": book.id, "updatedRange": self._range_name(sheet, written) if height else
                 self._range_name(sheet, span)}
        if height:
            reply.update({"updatedRows": height, "updatedColumns": width,
                          "updatedCells": sum(len(r) for r in values)})
        return sheet, changes, reply

    def _apply(self, sheet: Sheet, changes: dict[tuple[int, int], Cell | None]) -> None:
        for (r, c), cell in changes.items():
            if r >= sheet.rows:  # values.append grows the grid
                sheet.properties["gridProperties"]["rowCount"] = r + 1
            if c >= sheet.cols:
                sheet.properties["gridProperties"]["columnCount"] = c + 1
            if cell is None:
                sheet.cells.pop((r, c), None)
            else:
                sheet.cells[(r, c)] = cell

    def values_update(self, call: "Call") -> Any:
        book = self._book(call.arg("spreadsheetId"))
        option = self._input_option(call.query.get("valueInputOption"))
        sheet, changes, reply = self._plan_write(book, call.arg("range"), call.body or {}, option)
        self._apply(sheet, changes)
        self.writes.append(Write(book.id, call.arg("range"), option, len(changes), "values.update"))
        if call.query.get("includeValuesInResponse"):
            _, span = self._resolve(book, reply["updatedRange"])
            reply["updatedData"] = self._value_range(sheet, span, call.query.get("responseValueRenderOption",
                                                                                   "FORMATTED_VALUE"), "ROWS")
        return reply

    def values_append(self, call: "Call") -> Any:
        book = self._book(call.arg("spreadsheetId"))
        option = self._input_option(call.query.get("valueInputOption"))
        sheet, changes, reply = self._plan_write(book, call.arg("range"), call.body or {}, option, append=True)
        self._apply(sheet, changes)
        self.writes.append(Write(book.id, call.arg("range"), option, len(changes), "values.append"))
        _, span = self._resolve(book, call.arg("range"))
        return {"spreadsheetId": book.id, "tableRange": self._range_name(sheet, span), "updates": reply}

    def values_batch_update(self, call: "Call") -> Any:
        book = self._book(call.arg("spreadsheetId"))
        body = call.body or {}
        option = self._input_option(body.get("valueInputOption"))
        plans = []
        for i, vr in enumerate(body.get("data") or []):
            if not vr.get("range"):
                raise bad_request(f"Invalid data[{i}]: range is required.", field=f"data[{i}].range")
            plans.append(self._plan_write(book, vr["range"], {**vr, "range": None}, option))
        replies = []
        for sheet, changes, reply in plans:  # all checked: now apply
            self._apply(sheet, changes)
            replies.append(reply)
        self.writes.append(Write(book.id, ",".join(vr["range"] for vr in body.get("data") or []), option,
                                 sum(len(p[1]) for p in plans), "values.batchUpdate"))
        return {
            "spreadsheetId": book.id,
            "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in replies),
            "totalUpdatedColumns": max((r.get("updatedColumns", 0) for r in replies), default=0),
            "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in replies),
            "totalUpdatedSheets": len({p[0].properties["sheetId"] for p in plans}),
            "responses": replies,
        }

    def _clear(self, book: Spreadsheet, ref: str) -> str:
        sheet, span = self._resolve(book, ref)
        b = span.bounded(sheet.rows, sheet.cols)
        for key in [k for k in sheet.cells if b.start_row <= k[0] < b.end_row and b.start_col <= k[1] < b.end_col]:
            del sheet.cells[key]
        return self._range_name(sheet, span)

    def values_clear(self, call: "Call") -> Any:
        book = self._book(call.arg("spreadsheetId"))
        return {"spreadsheetId": book.id, "clearedRange": self._clear(book, call.arg("range"))}

    def values_batch_clear(self, call: "Call") -> Any:
        book = self._book(call.arg("spreadsheetId"))
        ranges = (call.body or {}).get("ranges") or []
        for ref in ranges:
            self._resolve(book, ref)
        return {"spreadsheetId": book.id, "clearedRanges": [self._clear(book, ref) for ref in ranges]}

    # -- spreadsheets ----------------------------------------------------------------------------

    def create(self, call: "Call") -> Any:
        body = call.body or {}
        title = (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
        return self.create_spreadsheet(title, sheets=body.get("sheets"))

    def get(self, call: "Call") -> Any:
        book = self._book(call.arg("spreadsheetId"))
        return self._json(book, include_grid=bool(call.query.get("includeGridData")))

    def batch_update(self, call: "Call") -> Any:
        book = self._book(call.arg("spreadsheetId"))
        body = call.body or {}
        work = book.clone()
        replies = []
        for i, request in enumerate(body.get("requests") or []):
            kinds = [k for k, v in request.items() if v is not None]
            if len(kinds) != 1:
                raise bad_request(f"Invalid requests[{i}]: exactly one kind of request must be set.")
            kind = kinds[0]
            if kind not in REQUEST_KINDS_SUPPORTED:
                raise ApiError(501, f"fake_google does not implement batchUpdate request kind {kind!r}.")
            try:
                replies.append(getattr(self, "_" + kind)(work, request[kind]))
            except ApiError as err:
                err.message = f"Invalid requests[{i}].{kind}: {err.message}"
                raise
        for n, sheet in enumerate(sorted(work.sheets, key=lambda s: s.properties["index"])):
            sheet.properties["index"] = n
        work.sheets.sort(key=lambda s: s.properties["index"])
        self.spreadsheets[book.id] = work
        if "title" in work.properties and work.properties["title"] != book.properties["title"]:
            self.fake.drive.files[book.id]["name"] = work.properties["title"]
        out: dict[str, Any] = {"spreadsheetId": book.id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = self._json(work)
        return out

    def _addSheet(self, book: Spreadsheet, req: dict) -> dict:
        props = dict(req.get("properties") or {})
        index = props.get("index", len(book.sheets))
        for sheet in book.sheets:
            if sheet.properties["index"] >= index:
                sheet.properties["index"] += 1
        sheet = self._new_sheet(book, {**props, "index": index})
        book.sheets.append(sheet)
        return {"addSheet": {"properties": copy.deepcopy(sheet.properties)}}

    def _find(self, book: Spreadsheet, sheet_id: Any) -> Sheet:
        for sheet in book.sheets:
            if sheet.properties["sheetId"] == sheet_id:
                return sheet
        raise bad_request(f"No grid with id: {sheet_id}")

    def _deleteSheet(self, book: Spreadsheet, req: dict) -> dict:
        sheet = self._find(book, req.get("sheetId", 0))
        if len(book.sheets) == 1:
            raise bad_request("You can't remove all the sheets in a document.")
        book.sheets.remove(sheet)
        return {}

    def _updateSheetProperties(self, book: Spreadsheet, req: dict) -> dict:
        props = req.get("properties") or {}
        paths = [p.strip() for p in (req.get("fields") or "").split(",") if p.strip()]
        if not paths:
            raise bad_request("At least one field must be specified in 'fields'.")
        sheet = self._find(book, props.get("sheetId", 0))
        if paths == ["*"]:
            paths = [k for k in props if k != "sheetId"]
        for path in paths:
            parts = path.split(".")
            if parts[0] == "sheetId":
                raise bad_request("sheetId cannot be updated.")
            if parts[0] == "title":
                title = props.get("title") or ""
                if any(s is not sheet and s.title.casefold() == title.casefold() for s in book.sheets):
                    raise bad_request(f'A sheet with the name "{title}" already exists. Please enter another name.')
            if parts[0] == "index":
                old, new = sheet.properties["index"], props.get("index", 0)
                for other in book.sheets:
                    i = other.properties["index"]
                    if other is not sheet and old < i <= new:
                        other.properties["index"] -= 1
                    elif other is not sheet and new <= i < old:
                        other.properties["index"] += 1
            _copy_path(props, sheet.properties, parts)
        grid = sheet.properties.setdefault("gridProperties", {})
        grid.setdefault("rowCount", DEFAULT_ROWS)
        grid.setdefault("columnCount", DEFAULT_COLS)
        if grid["rowCount"] < 1 or grid["columnCount"] < 1:
            raise bad_request("A sheet must keep at least one row and one column.")
        sheet.cells = {k: v for k, v in sheet.cells.items() if k[0] < grid["rowCount"] and k[1] < grid["columnCount"]}
        return {}

    def _updateSpreadsheetProperties(self, book: Spreadsheet, req: dict) -> dict:
        props = req.get("properties") or {}
        paths = [p.strip() for p in (req.get("fields") or "").split(",") if p.strip()]
        if not paths:
            raise bad_request("At least one field must be specified in 'fields'.")
        for path in (list(props) if paths == ["*"] else paths):
            _copy_path(props, book.properties, path.split("."))
        return {}

    def _appendDimension(self, book: Spreadsheet, req: dict) -> dict:
        sheet = self._find(book, req.get("sheetId", 0))
        length = req.get("length", 0)
        if length < 1:
            raise bad_request("length must be at least 1.")
        key = {"ROWS": "rowCount", "COLUMNS": "columnCount"}.get(req.get("dimension"))
        if key is None:
            raise bad_request("dimension must be ROWS or COLUMNS.")
        sheet.properties["gridProperties"][key] += length
        return {}


def _copy_path(src: dict, dst: dict, path: list[str]) -> None:
    head, rest = path[0], path[1:]
    if not rest:
        if head in src:
            dst[head] = copy.deepcopy(src[head])
        else:
            dst.pop(head, None)
        return
    _copy_path(src.get(head) or {}, dst.setdefault(head, {}), rest)
