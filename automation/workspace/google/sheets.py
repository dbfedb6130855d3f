"""Google Sheets through gspread: one spreadsheet per season, one worksheet per form.

Why one spreadsheet per season (docs/GOOGLE.md): the mentor opens and is
shared one file for the year; a form's worksheet is found by its form key; and
the season's forms (a few dozen) stay far below the 10 million cells a
spreadsheet may hold.  Per event would mean dozens of files to share and find.

Each sync is ONE ``values.update`` of the whole worksheet with
``valueInputOption=RAW`` (respondent text such as ``=1+2`` stays text — DESIGN.md
principle 5), from the store, so a sync after a crash rewrites the same rows and
never duplicates.  The first sync of a form adds its worksheet (one
``batchUpdate``: ``addSheet``, or renaming the new spreadsheet's empty first
sheet), sized for the rows with room to grow; a later sync resizes it (one
more ``batchUpdate``) only when the rows outgrow the grid.  The spreadsheet id
and each worksheet's id and size are remembered in the store
(:class:`~.memo.Memo`), so no metadata read is needed before a write.

Retries: :class:`BoundedBackOffHTTPClient` retries 408/429/5xx (and Drive's
403 rate-limit answers) with exponential backoff, at most ``max_retries``
times and ``max_total_wait`` seconds, then raises
:class:`~automation.errors.BackendError`.  gspread 6.2's own
``BackOffHTTPClient`` can retry forever (its bound ``wait <= _MAX_BACKOFF``
always holds once ``wait`` is capped at that same value; gspread#1599).
"""

from __future__ import annotations

import json
import random
import time
from datetime import date, datetime
from typing import Any, Callable

import gspread
import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from automation.errors import BackendError
from automation.workspace.google.api import Connection, GoogleAuthError, error_details, translate
from automation.workspace.google.memo import Memo
from automation.workspace.google.sharing import ShareState, not_shared_error, share

DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
#: Rows a new or resized worksheet gets beyond what is written now (fewer resizes as responses arrive).
HEADROOM_ROWS = 1000


class SheetsRetryExhausted(BackendError):
    """Google Sheets kept failing with a transient error beyond the retry bound."""


class BoundedBackOffHTTPClient(HTTPClient):
    """A gspread HTTP client with exponential backoff that gives up.

    Retries 408, 429, 5xx, Drive's 403 ``usageLimits`` answers and connection
    errors; the k-th retry waits ``min(max_delay, base_delay * 2**k)`` seconds
    with jitter (x0.5–1).  After ``max_retries`` retries, or when the next wait
    would exceed ``max_total_wait`` seconds in all, raises
    :class:`SheetsRetryExhausted`.  ``sleep`` is replaceable (tests).
    """

    max_retries = 5
    base_delay = 1.0
    max_delay = 32.0
    max_total_wait = 120.0

    def __init__(self, auth: Any, session: Any = None) -> None:
        super().__init__(auth, session)
        self.sleep: Callable[[float], None] = time.sleep
        self.attempts = 0  # attempts of the last request (for tests and logs)

    @staticmethod
    def _retryable(err: APIError) -> bool:
        status, reason, _ = error_details(err)
        if status in (408, 429) or status >= 500:
            return True
        return status == 403 and reason in ("rateLimitExceeded", "userRateLimitExceeded")

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        """gspread's request with bounded retries (see the class); raises SheetsRetryExhausted when they run out."""
        waited = 0.0
        self.attempts = 0
        while True:
            self.attempts += 1
            try:
                return super().request(*args, **kwargs)
            except APIError as err:
                if not self._retryable(err):
                    raise
                status, _, message = error_details(err)
                problem = f"{status}: {message}"
            except (requests.ConnectionError, requests.Timeout) as err:
                problem = f"no connection: {err}"
            retry = self.attempts - 1
            delay = min(self.max_delay, self.base_delay * 2 ** retry) * (0.5 + random.random() / 2)
            if retry >= self.max_retries or waited + delay > self.max_total_wait:
                raise SheetsRetryExhausted(
                    f"Google Sheets kept failing ({problem}) after {self.attempts} attempts over {waited:.0f} s; "
                    "gave up. Nothing is lost: the next sync writes the whole worksheet again. If this keeps "
                    "happening, Google's quota for this account is used up for now (about 60 writes a minute): "
                    "wait a few minutes.")
            self.sleep(delay)
            waited += delay


def gspread_client(connection: Connection, http_client: type[HTTPClient] | None = None) -> gspread.Client:
    """A gspread.Client on the connection's credentials, with :class:`BoundedBackOffHTTPClient` by default.

    The client sleeps with the connection's retry policy (tests: instantly),
    and its requests session is routed by ``connection.mount`` when set (tests:
    to the fake Google server).
    """
    client = gspread.Client(auth=connection.credentials, http_client=http_client or BoundedBackOffHTTPClient)
    if isinstance(client.http_client, BoundedBackOffHTTPClient):
        client.http_client.sleep = connection.retry.sleep
    if connection.mount is not None:
        connection.mount(client.http_client.session)
    return client


def sheet_title(form_key: str) -> str:
    """A worksheet title from a form key: at most 100 characters, none of ``[]*?:/\\``."""
    clean = "".join("_" if c in "[]*?:/\\" else c for c in form_key).strip("'") or "form"
    return clean[:100]


#: Google Sheets refuses a cell of more than 50,000 characters ("Your input contains more than the maximum
#: of 50000 characters in a single cell"; the limit is documented in Google's "Files you can store in
#: Google Drive").  A longer answer is cut in the worksheet only; the store keeps it whole.
CELL_LIMIT = 50_000


def cell_value(v: Any) -> Any:
    """A JSON value for a cell: None -> "" (clears the cell), dates as ISO text, containers as JSON text;
    text longer than :data:`CELL_LIMIT` cut, with a note saying how much was cut (the store keeps it all)."""
    if v is None:
        return ""
    if isinstance(v, bool) or isinstance(v, (int, float)):
        return v
    if isinstance(v, (datetime, date)):
        text = v.isoformat()
    elif isinstance(v, str):
        text = v
    else:
        text = json.dumps(v, ensure_ascii=False)
    if len(text) <= CELL_LIMIT:
        return text
    keep = CELL_LIMIT - 200  # room for the note
    note = f" … [+{len(text) - keep} символов: полный текст в базе клуба / full text in the club's store]"
    return text[:keep] + note


def a1_range(title: str) -> str:
    """The A1 range of a worksheet's top-left cell, its title quoted (``'it''s'!A1``)."""
    return "'" + title.replace("'", "''") + "'!A1"


class GoogleSheets:
    """SheetsPort on Google Sheets (gspread).

    ``spreadsheet_title`` names the season's spreadsheet, made on the first
    write (``folder_id``: a Drive folder, e.g. in a Shared Drive, to make it
    in; ``share_with``: the mentor's address, who gets read access once).
    Calls per :meth:`write_responses`: 1 ``values.update``; +1 ``batchUpdate``
    the first time for a form (and when its rows outgrow the grid); +1 Drive
    ``files.create`` (+1 ``permissions.create`` with ``share_with``, 2 when the address has no Google
    account; repeated at each write while it fails: see :mod:`automation.workspace.google.sharing`)
    once per season.
    """

    def __init__(self, connection: Connection, memo: Memo | None = None, spreadsheet_title: str = "Club responses",
                 folder_id: str | None = None, headroom_rows: int = HEADROOM_ROWS, share_with: str | None = None):
        self.conn = connection
        self.memo = memo or Memo()
        self.spreadsheet_title = spreadsheet_title
        self.folder_id = folder_id
        self.headroom_rows = headroom_rows
        self.share_with = share_with
        self._client: Any = None

    @property
    def http(self) -> HTTPClient:
        """The gspread HTTP client (made on first use; see :func:`gspread_client`)."""
        if self._client is None:
            self._client = gspread_client(self.conn)
        http: HTTPClient = self._client.http_client
        return http

    def _key(self) -> str:
        return f"sheets.spreadsheet.{self.spreadsheet_title}"

    def spreadsheet(self) -> dict[str, Any]:
        """``{"id", "spare"}`` of the season's spreadsheet, made (1 Drive call) if not remembered.

        ``spare`` is the sheet id of the new spreadsheet's empty first sheet, which the
        first form's worksheet takes over instead of adding a sheet next to it.
        """
        book: dict[str, Any] | None = self.memo.get(self._key())
        if book:
            return book
        payload: dict[str, Any] = {"name": self.spreadsheet_title, "mimeType": SPREADSHEET_MIME}
        if self.folder_id:
            payload["parents"] = [self.folder_id]
        try:
            r = self.http.request("post", DRIVE_FILES_URL, json=payload, params={"supportsAllDrives": True})
        except APIError as e:
            raise translate(e, f"create the spreadsheet {self.spreadsheet_title!r}", "drive") from None
        book = {"id": r.json()["id"], "spare": 0}  # a new spreadsheet's first sheet has id 0 (gid=0)
        self.memo.set(self._key(), book)
        return book

    def _share(self, book: dict[str, Any], url: str) -> None:
        """Share the spreadsheet with ``share_with`` (the mentor; never "anyone with the link": do no harm)
        unless the store says it is done; a failed share is recorded and tried again at every write.
        Raises BackendError (after the write: nothing is lost) while it fails."""
        if not self.share_with:
            return
        known = ShareState.from_json(book.get("share"))
        if known and known.state == "done" and known.email == self.share_with:
            return
        state = share(self.conn, book["id"], self.share_with)
        book["share"] = state.as_json()
        self.memo.set(self._key(), book)
        if state.state != "done":
            raise not_shared_error(state, "The season's spreadsheet", url)

    def _batch(self, book_id: str, requests_: list[dict[str, Any]], what: str) -> dict[str, Any]:
        try:
            reply: dict[str, Any] = self.http.batch_update(book_id, {"requests": requests_})
            return reply
        except APIError as e:
            raise translate(e, what, "sheets") from None

    def _adopt(self, book: dict[str, Any], title: str) -> dict[str, Any] | None:
        """Find an existing worksheet by title (after a lost memo or a retried addSheet): 1 read."""
        try:
            meta = self.http.fetch_sheet_metadata(book["id"], params={"fields": "sheets.properties"})
        except APIError as e:
            raise translate(e, "read the spreadsheet's worksheets", "sheets") from None
        for s in meta.get("sheets", []):
            p = s["properties"]
            if p["title"] == title:
                grid = p.get("gridProperties", {})
                return {"sheetId": p["sheetId"], "title": title, "rows": grid.get("rowCount", 1000),
                        "cols": grid.get("columnCount", 26), "written_rows": 0, "written_cols": 0}
        return None

    def _worksheet(self, book: dict[str, Any], form_key: str, rows: int, cols: int) -> dict[str, Any]:
        key = f"sheets.{book['id']}.{form_key}"
        state: dict[str, Any] | None = self.memo.get(key)
        title = sheet_title(form_key)
        want = {"rowCount": rows + self.headroom_rows, "columnCount": cols}
        if state is None:
            if book.get("spare") is not None:
                self._batch(book["id"], [{"updateSheetProperties": {
                    "properties": {"sheetId": book["spare"], "title": title, "gridProperties": want},
                    "fields": "title,gridProperties.rowCount,gridProperties.columnCount"}}],
                    f"prepare the worksheet {title!r}")
                state = {"sheetId": book["spare"]}
                book["spare"] = None
                self.memo.set(self._key(), book)
            else:
                try:
                    reply = self._batch(book["id"], [{"addSheet": {"properties": {"title": title,
                                                                                  "gridProperties": want}}}],
                                        f"add the worksheet {title!r}")
                    state = {"sheetId": reply["replies"][0]["addSheet"]["properties"]["sheetId"]}
                except BackendError as e:
                    found = self._adopt(book, title) if "already exists" in str(e) else None
                    if found is None:
                        raise
                    state = found
            state.update({"title": title, "rows": want["rowCount"], "cols": want["columnCount"],
                          "written_rows": state.get("written_rows", 0), "written_cols": state.get("written_cols", 0)})
            self.memo.set(key, state)
        elif rows > state["rows"] or cols > state["cols"]:
            grow = {"rowCount": max(state["rows"], rows + self.headroom_rows), "columnCount": max(state["cols"], cols)}
            self._batch(book["id"], [{"updateSheetProperties": {
                "properties": {"sheetId": state["sheetId"], "gridProperties": grow},
                "fields": "gridProperties.rowCount,gridProperties.columnCount"}}], f"enlarge the worksheet {title!r}")
            state.update(rows=grow["rowCount"], cols=grow["columnCount"])
            self.memo.set(key, state)
        return state

    def write_responses(self, form_key: str, title: str, header: list[str], rows: list[list[Any]]) -> str:
        """Replace the form's worksheet with ``header`` + ``rows`` (one RAW values.update); return its URL.

        Rows and columns written by an earlier, larger sync are blanked in the
        same request.  Raises BackendError (SheetsRetryExhausted after the retry
        bound; GoogleAuthError when the sign-in is revoked or expired).
        """
        from google.auth.exceptions import RefreshError

        try:
            return self._write(form_key, header, rows)
        except RefreshError as e:
            raise GoogleAuthError(f"Google Sheets refused the sign-in ({e}). The access was revoked or has "
                                  "expired: run `python main.py auth` again.") from None

    def _write(self, form_key: str, header: list[str], rows: list[list[Any]]) -> str:
        book = self.spreadsheet()
        values = [[cell_value(v) for v in header]] + [[cell_value(v) for v in r] for r in rows]
        width = max(len(r) for r in values)
        key = f"sheets.{book['id']}.{form_key}"
        for attempt in (1, 2):
            state = self._worksheet(book, form_key, len(values), width)
            cols = max(width, state.get("written_cols", 0))
            padded = [r + [""] * (cols - len(r)) for r in values]
            padded += [[""] * cols for _ in range(state.get("written_rows", 0) - len(values))]
            try:
                self.http.values_update(book["id"], a1_range(state["title"]), params={"valueInputOption": "RAW"},
                                        body={"majorDimension": "ROWS", "values": padded})
                break
            except APIError as e:
                status, _, message = error_details(e)
                if attempt == 1 and status == 400 and ("Unable to parse range" in message or "exceeds grid" in message):
                    self.memo.delete(key)  # the worksheet was deleted or resized by hand: make it again
                    found = self._adopt(book, state["title"])
                    if found is not None:
                        self.memo.set(key, found)
                    continue
                raise translate(e, f"write the responses of {form_key}", "sheets") from None
        state.update(written_rows=len(values), written_cols=width)
        self.memo.set(key, state)
        url = f"https://docs.google.com/spreadsheets/d/{book['id']}/edit#gid={state['sheetId']}"
        self._share(book, url)
        return url
