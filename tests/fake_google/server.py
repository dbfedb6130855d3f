"""FakeGoogle: a stateful fake of Google's Forms, Sheets, Drive, Gmail and Directory APIs.

Served over HTTP on 127.0.0.1 (a free port) by werkzeug's threaded server, so the real
client libraries talk to it through their ordinary transports::

    with FakeGoogle() as fake:
        forms = fake.build("forms", Credentials(token="fake"))
        form = forms.forms().create(body={"info": {"title": "Quiz"}}).execute()

Each request goes through the same steps, in this order:

1. route by the discovery documents (:mod:`.discovery`); unknown path -> 404;
2. count it in ``fake.calls[key]`` (``key`` like ``"forms.batchUpdate"``);
3. injected faults (:meth:`FakeGoogle.fail_next`) answer instead;
4. auth: a ``Bearer`` token is required; revoked tokens -> 401; tokens granted a
   scope list (:meth:`FakeGoogle.grant`) -> 403 for methods those scopes don't cover;
5. query parameters and the JSON body are checked against the discovery document
   (:mod:`.validation`) -> 400;
6. the API module's handler applies the documented rules and changes state; it works
   on copies so that a rejected request changes nothing;
7. ``fields`` (partial response) is applied.

All state lives in the instance (``fake.forms``, ``fake.sheets``, ``fake.drive``,
``fake.gmail``, ``fake.directory``); one lock serialises requests.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import secrets
import threading
import traceback
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from . import fields as fieldmask
from . import multipart
from .directory import DirectoryBackend
from .discovery import BATCH_ALIASES, BATCH_PATHS, Method, call_key, load_catalog
from .drive import DriveBackend
from .errors import ApiError, bad_request, canned
from .forms import FormsBackend
from .gmail import GmailBackend
from .sheets import SheetsBackend
from .transport import LoopbackHttp, mount
from .validation import BodyValidator, check_query

JSON_TYPE = "application/json; charset=UTF-8"

# googleapiclient.discovery.build(name, version) for each API of the fake
BUILD_NAMES = {
    "forms": ("forms", "v1"),
    "sheets": ("sheets", "v4"),
    "drive": ("drive", "v3"),
    "gmail": ("gmail", "v1"),
    "directory": ("admin", "directory_v1"),
}


@dataclass
class Media:
    """Uploaded media of a request (simple, multipart or resumable upload)."""

    content_type: str
    data: bytes


@dataclass
class Reply:
    """What a handler answers: JSON (dict/list), raw bytes, or nothing (204)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, (bytes, bytearray)):
            return bytes(self.body)
        return multipart.json_bytes(self.body)

    def mimetype(self) -> str:
        if self.content_type:
            return self.content_type
        return JSON_TYPE if isinstance(self.body, (dict, list)) else "text/plain"

    @classmethod
    def error(cls, err: ApiError) -> "Reply":
        return cls(err.code, err.body(), dict(err.headers))


@dataclass
class Call:
    """One API call as a handler sees it."""

    fake: "FakeGoogle"
    method: Method
    path: dict[str, str]
    query: dict[str, Any]
    body: Any
    media: Media | None
    token: str
    scopes: frozenset[str] | None

    def arg(self, name: str, default: Any = None) -> Any:
        if name in self.path:
            return self.path[name]
        return self.query.get(name, default)

    def project(self, value: Any, default_fields: str | None = None) -> Any:
        """Apply ``fields`` from the query, else ``default_fields`` (Drive's default views)."""
        return fieldmask.apply(value, self.query.get("fields") or default_fields)


@dataclass
class Fault:
    remaining: int
    status: int
    method: str | None
    after: int = 0  # matching calls to let through before failing
    applied: bool = False  # the call is carried out, then answered with the error (a lost success)


@dataclass
class LoggedCall:
    key: str
    http_method: str
    path: str
    status: int
    in_batch: bool = False


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs) -> None:  # no per-request lines in test output
        pass


class FakeGoogle:
    """The fake server. Use as a context manager or call :meth:`start` / :meth:`stop`.

    Parameters:
        clock: returns the current time (aware, UTC); used for timestamps the fake sets
            (form responses, Drive times, Gmail internalDate). Default: the real clock.
        seed: seeds the ids the fake assigns, so runs are reproducible.
        forms_created_published: publish state of a form made by ``forms.create`` without
            the ``unpublished`` query parameter. Google's announced default for forms
            created through the API after mid-2026 is *unpublished* (False here);
            ``forms.create?unpublished=false`` always publishes.
        user_email: the mailbox ``userId="me"`` stands for in Gmail.
        gmail_max_recipients: recipients (To+Cc+Bcc) allowed in one Gmail message.
        gmail_daily_limit: messages one mailbox may send; None = unlimited.
        pessimistic: turn on every mode below in which Google is documented or reported to
            behave less kindly than the optimistic default (each can also be set alone):
        gmail_replaces_message_id: Gmail gives every sent message its own Message-ID (see
            :mod:`.gmail`).
        sharing_needs_account: Drive refuses to share without a notification with an address
            that has no Google account (see :mod:`.drive`).
        forms_create_lost_once: the first ``forms.create`` makes the form and answers 503 (a
            success hidden by a 5xx or a timeout, which googleapiclient's ``num_retries`` would
            answer by creating again: issue 13, item 6).
        forms_email_default: a new form's ``emailCollectionType``; pessimistic: ``VERIFIED``, the
            documented default for a Workspace owner (forms.v1 discovery, FormSettings).
        modern_errors: Forms and Sheets answer errors with ``code``, ``message``, ``status`` and
            ``details`` only, without the legacy ``errors[].reason`` list (the newer APIs' shape,
            https://cloud.google.com/apis/design/errors); a missing-scope 403 carries its reason in
            an ``ErrorInfo`` detail (``ACCESS_TOKEN_SCOPE_INSUFFICIENT``).
        sheets_cell_limit: a cell may hold at most this many characters (pessimistic: 50,000,
            Google's documented limit); a longer one is a 400.
        forms_responses_unordered: ``responses.list`` returns responses in an order that is not
            their submission order (Google documents none).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        seed: int = 0,
        forms_created_published: bool = False,
        user_email: str = "owner@example.org",
        gmail_max_recipients: int = 100,
        gmail_daily_limit: int | None = None,
        pessimistic: bool = False,
        gmail_replaces_message_id: bool | None = None,
        sharing_needs_account: bool | None = None,
        forms_create_lost_once: bool | None = None,
        forms_email_default: str | None = None,
        modern_errors: bool | None = None,
        sheets_cell_limit: int | None = None,
        forms_responses_unordered: bool | None = None,
    ) -> None:
        self.pessimistic = pessimistic

        def mode(value: bool | None) -> bool:
            return pessimistic if value is None else value

        self.catalog = load_catalog()
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.random = random.Random(seed)
        self.calls: Counter[str] = Counter()
        self.ok_calls: Counter[str] = Counter()
        self.log: list[LoggedCall] = []
        self.unmatched: list[tuple[str, str]] = []
        self.internal_errors: list[str] = []  # tracebacks of bugs in the fake itself
        self.revoked_tokens: set[str] = set()
        self.token_scopes: dict[str, frozenset[str]] = {}
        self._faults: list[Fault] = []
        self._uploads: dict[str, dict[str, Any]] = {}
        self._lock = threading.RLock()
        self._server = None
        self._thread: threading.Thread | None = None
        self.url = ""

        self.drive = DriveBackend(self, sharing_needs_account=mode(sharing_needs_account))
        self.forms = FormsBackend(self, created_published=forms_created_published,
                                  email_default=forms_email_default or ("VERIFIED" if pessimistic else "DO_NOT_COLLECT"),
                                  unordered=mode(forms_responses_unordered))
        self.sheets = SheetsBackend(self, cell_limit=sheets_cell_limit or (SheetsBackend.CELL_LIMIT if pessimistic
                                                                          else None))
        self.modern_errors = mode(modern_errors)
        self.gmail = GmailBackend(
            self, user_email=user_email, max_recipients=gmail_max_recipients, daily_limit=gmail_daily_limit,
            replace_message_id=mode(gmail_replaces_message_id)
        )
        self.directory = DirectoryBackend(self)
        if mode(forms_create_lost_once):
            self._faults.append(Fault(1, 503, "forms.create", applied=True))
        self._backends = [self.drive, self.forms, self.sheets, self.gmail, self.directory]
        self._handlers: dict[str, Callable[[Call], Any]] = {}
        self._body_rules: dict[str, dict[str, Any]] = {}
        for backend in self._backends:
            self._handlers.update(backend.handlers())
            self._body_rules.update(getattr(backend, "body_rules", {}))

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> "FakeGoogle":
        if self._server is not None:
            return self
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name="fake-google", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "FakeGoogle":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- test-side controls ---------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 429, method: str | None = None, *, after: int = 0,
                  applied: bool = False) -> None:
        """Answer the next ``n`` calls (of ``method`` only, if given) with ``status``.

        ``method`` is a call key ("forms.batchUpdate", "directory.batch") or a discovery
        id ("forms.forms.batchUpdate"). Faults queue up in the order they were added.
        ``after``: let that many matching calls succeed first (e.g. fail the 3rd send).
        ``applied``: carry the call out (state changes) and answer the error anyway — a success whose
        answer was lost, as a 5xx or a timeout after Google did the work.
        """
        with self._lock:
            self._faults.append(Fault(n, status, call_key(method) if method else None, after, applied))

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.ok_calls.clear()
            self.log.clear()

    def revoke(self, token: str) -> None:
        """Requests bearing ``token`` get 401 from now on."""
        self.revoked_tokens.add(token)

    def grant(self, token: str, scopes: list[str] | set[str]) -> None:
        """Restrict ``token`` to ``scopes`` (full URLs or short names like "gmail.send")."""
        full = {s if s.startswith("https://") else f"https://www.googleapis.com/auth/{s}" for s in scopes}
        self.token_scopes[token] = frozenset(full)

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.timezone.utc)

    def new_id(self, length: int = 44, alphabet: str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") -> str:
        return "".join(self.random.choice(alphabet) for _ in range(length))

    # -- client-side helpers ----------------------------------------------------------------

    def api_endpoint(self, api: str) -> str:
        """The ``client_options["api_endpoint"]`` for ``api`` (its rootUrl + servicePath)."""
        return f"{self.url}/{self.catalog.documents[api].service_path}"

    def batch_uri(self, api: str) -> str:
        """The ``batch_uri`` for ``BatchHttpRequest`` (googleapiclient ignores api_endpoint there)."""
        return self.url + BATCH_PATHS[api]

    def http(self) -> LoopbackHttp:
        """An unauthenticated httplib2.Http that reaches the fake, also for media uploads."""
        return LoopbackHttp(self.url)

    def authorized_http(self, credentials: Any):
        """``google_auth_httplib2.AuthorizedHttp`` over :meth:`http` for ``credentials``."""
        import google_auth_httplib2

        return google_auth_httplib2.AuthorizedHttp(credentials, http=self.http())

    def build(self, api: str, credentials: Any, **kwargs: Any):
        """``googleapiclient.discovery.build`` for ``api`` ("forms", "sheets", "drive",
        "gmail", "directory") pointed at the fake, from the static discovery documents."""
        from googleapiclient.discovery import build

        name, version = BUILD_NAMES[api]
        return build(
            name,
            version,
            http=self.authorized_http(credentials),
            client_options={"api_endpoint": self.api_endpoint(api)},
            static_discovery=True,
            **kwargs,
        )

    def client_seams(self, credentials: Any) -> dict[str, Any]:
        """Everything an adapter needs to reach the fake instead of Google, as keyword arguments:
        ``http_factory`` (authorized httplib2 transport, uploads included), ``api_endpoint`` and
        ``batch_uri`` (api name -> URL) and ``mount`` (for gspread's requests session)."""
        return {"http_factory": lambda: self.authorized_http(credentials), "api_endpoint": self.api_endpoint,
                "batch_uri": self.batch_uri, "mount": self.mount}

    def mount(self, session):
        """Route a ``requests`` session's calls to Google's hosts to the fake (gspread's seam)."""
        return mount(session, self.url)

    def gspread_client(self, credentials: Any, http_client: Any = None):
        """A real ``gspread.Client`` whose session talks to the fake."""
        import gspread
        from gspread.http_client import HTTPClient

        client = gspread.Client(auth=credentials, http_client=http_client or HTTPClient)
        self.mount(client.http_client.session)
        return client

    # -- HTTP entry point ---------------------------------------------------------------------

    def _wsgi(self, environ: dict, start_response: Callable) -> Any:
        request = Request(environ)
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        split = urllib.parse.urlsplit(raw)
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        headers = {k.lower(): v for k, v in request.headers.items()}
        reply = self.handle(request.method, split.path, query, headers, request.get_data())
        response = Response(reply.payload(), status=reply.status, headers=reply.headers,
                            content_type=reply.mimetype())
        return response(environ, start_response)

    def handle(self, http_method: str, path: str, query: dict[str, list[str]],
               headers: dict[str, str], body: bytes, *, in_batch: bool = False) -> Reply:
        """Answer one HTTP request (also used for the parts of a batch)."""
        try:
            if path.startswith("/batch") and http_method == "POST":
                if in_batch:
                    raise bad_request("A batch request cannot contain a batch request.")
                return self._batch(path, headers, body)
            if path.startswith("/upload-session/"):
                return self._resume_upload(path.rsplit("/", 1)[-1], headers, body)
            upload = path.startswith(("/upload/", "/resumable/upload/"))
            routed = (self.catalog.route_upload if upload else self.catalog.route)(http_method, path)
            if routed is None:
                with self._lock:
                    self.unmatched.append((http_method, path))
                raise ApiError(404, f"fake_google: no API method serves {http_method} {path}")
            method, path_params = routed
            if upload and in_batch:
                raise bad_request("Media uploads are not supported in batch requests.")
            return self._call(method, path_params, query, headers, body, upload=upload, in_batch=in_batch)
        except ApiError as err:
            return Reply.error(err)
        except Exception:  # a bug in the fake: answer 500 and keep the traceback for the test
            trace = traceback.format_exc()
            with self._lock:
                self.internal_errors.append(trace)
            return Reply(500, {"error": {"code": 500, "status": "INTERNAL",
                                         "message": "fake_google internal error:\n" + trace,
                                         "errors": [{"reason": "backendError", "domain": "global",
                                                     "message": "fake_google internal error"}]}})

    # -- one API call -----------------------------------------------------------------------------

    def _call(self, method: Method, path_params: dict[str, str], query: dict[str, list[str]],
              headers: dict[str, str], body: bytes, *, upload: bool, in_batch: bool) -> Reply:
        with self._lock:
            key = method.key
            self.calls[key] += 1
            try:
                self._take_fault(key)
                token, scopes = self._authenticate(headers, method)
                typed = check_query(method, query)
                metadata, media = self._read_body(method, typed, headers, body, upload)
                metadata = self._validate_body(method, metadata, with_media=upload)
                call = Call(self, method, path_params, typed, metadata, media, token, scopes)
                if upload and typed.get("uploadType") == "resumable":
                    reply = self._start_resumable(call, headers)
                else:
                    reply = self._run(call)
                if reply.status < 300:
                    self._take_fault(key, applied=True)
            except ApiError as err:
                reply = Reply.error(err)
            if reply.status >= 400 and self.modern_errors and method.api in ("forms", "sheets"):
                reply = _modern(reply)
            if reply.status < 300:
                self.ok_calls[key] += 1
            self.log.append(LoggedCall(key, method.http_method, method.template, reply.status, in_batch))
            return reply

    def _run(self, call: Call) -> Reply:
        handler = self._handlers.get(call.method.id)
        if handler is None:
            raise ApiError(501, f"fake_google does not implement {call.method.id}.")
        result = handler(call)
        if isinstance(result, Reply):
            if isinstance(result.body, (dict, list)):
                result.body = fieldmask.apply(result.body, call.query.get("fields"))
            return result
        if result is None:
            return Reply(204)
        return Reply(200, fieldmask.apply(result, call.query.get("fields")))

    def _take_fault(self, key: str, applied: bool = False) -> None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method in (None, key) and fault.applied == applied:
                if fault.after > 0:
                    fault.after -= 1
                    return
                fault.remaining -= 1
                self._faults = [f for f in self._faults if f.remaining > 0]
                raise canned(fault.status)

    def _authenticate(self, headers: dict[str, str], method: Method) -> tuple[str, frozenset[str] | None]:
        auth = headers.get("authorization", "")
        if not auth.lower().startswith("bearer ") or not auth[7:].strip():
            raise ApiError(
                401,
                "Request is missing required authentication credential. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential.",
                reason="required",
                headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
            )
        token = auth[7:].strip()
        if token in self.revoked_tokens:
            err = canned(401)
            err.headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
            raise err
        scopes = self.token_scopes.get(token)
        if scopes is not None and method.scopes and not scopes & set(method.scopes):
            raise ApiError(403, "Request had insufficient authentication scopes.",
                           reason="insufficientPermissions")
        return token, scopes

    def _read_body(self, method: Method, query: dict[str, Any], headers: dict[str, str],
                   body: bytes, upload: bool) -> tuple[Any, Media | None]:
        content_type = headers.get("content-type", "")
        if not upload:
            return self._parse_json(body), None
        kind = query.get("uploadType")
        if kind == "media":
            return None, Media(content_type or "application/octet-stream", body)
        if kind == "multipart":
            parts = multipart.split(body, multipart.boundary_of(content_type))
            if len(parts) != 2:
                raise bad_request("A multipart upload must have exactly two parts: metadata and media.")
            (_, meta), (media_headers, data) = parts
            return self._parse_json(meta), Media(media_headers.get("content-type", "application/octet-stream"), data)
        if kind == "resumable":
            return self._parse_json(body), None
        raise bad_request(f"Invalid uploadType: {kind!r}. Expected media, multipart or resumable.")

    @staticmethod
    def _parse_json(body: bytes) -> Any:
        if not body or not body.strip():
            return None
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise bad_request("Invalid JSON payload received. Unexpected token.") from None

    def _validate_body(self, method: Method, body: Any, *, with_media: bool = False) -> Any:
        if method.request_ref is None:
            return body
        rules = dict(self._body_rules.get(method.id, {}))
        media_exempt = rules.pop("exempt_with_media", set())
        if with_media:
            rules["exempt"] = set(rules.get("exempt", ())) | set(media_exempt)
        return BodyValidator(method, **rules).check({} if body is None else body)

    # -- resumable uploads ----------------------------------------------------------------------

    def _start_resumable(self, call: Call, headers: dict[str, str]) -> Reply:
        session = secrets.token_hex(8)
        total = headers.get("x-upload-content-length")
        self._uploads[session] = {
            "call": call,
            "content_type": headers.get("x-upload-content-type", "application/octet-stream"),
            "total": int(total) if total else None,
            "data": bytearray(),
        }
        return Reply(200, None, {"Location": f"{self.url}/upload-session/{session}"})

    def _resume_upload(self, session: str, headers: dict[str, str], body: bytes) -> Reply:
        with self._lock:
            state = self._uploads.get(session)
            if state is None:
                raise ApiError(404, "Upload session not found.")
            content_range = headers.get("content-range", "")
            # "bytes 0-99/1000", "bytes 0-99/*", "bytes */1000"
            spec = content_range.replace("bytes", "").strip()
            if spec and "/" in spec:
                span, total = spec.split("/", 1)
                if total != "*":
                    state["total"] = int(total)
                if span != "*":
                    start = int(span.split("-")[0])
                    if start != len(state["data"]):
                        raise bad_request(f"Expected chunk at offset {len(state['data'])}, got {start}.")
                    state["data"].extend(body)
            else:
                state["data"].extend(body)
                state["total"] = len(state["data"])
            received = len(state["data"])
            if state["total"] is not None and received >= state["total"]:
                del self._uploads[session]
                call: Call = state["call"]
                call.media = Media(state["content_type"], bytes(state["data"]))
                try:
                    reply = self._run(call)
                except ApiError as err:
                    reply = Reply.error(err)
                self.log.append(LoggedCall(call.method.key + "#upload", "PUT", call.method.template, reply.status))
                return reply
            headers_out = {"Range": f"bytes=0-{received - 1}"} if received else {}
            return Reply(308, None, headers_out)

    # -- batch ----------------------------------------------------------------------------------

    def _batch(self, path: str, headers: dict[str, str], body: bytes) -> Reply:
        apis = {**{p: api for api, p in BATCH_PATHS.items()}, **BATCH_ALIASES}
        api = apis.get(path.rstrip("/"))
        if api is None and path.rstrip("/") != "/batch":
            raise ApiError(404, f"fake_google: no batch endpoint at {path}")
        inner = multipart.parse_batch(body, headers.get("content-type", ""))
        if api is None:  # the global /batch endpoint: name it after the first part's API
            first = inner[0] if inner else None
            routed = self.catalog.route(first.method, urllib.parse.urlsplit(first.target).path) if first else None
            api = routed[0].api if routed else "unknown"
        key = f"{api}.batch"
        with self._lock:
            self.calls[key] += 1
            try:
                self._take_fault(key)
                self._authenticate(headers, _BATCH_METHOD)
                if len(inner) > 1000:
                    raise bad_request("A batch request may contain at most 1000 calls.")
            except ApiError as err:
                self.log.append(LoggedCall(key, "POST", path, err.code))
                return Reply.error(err)
            self.ok_calls[key] += 1
            self.log.append(LoggedCall(key, "POST", path, 200))
            parts = []
            for req in inner:
                target = urllib.parse.urlsplit(req.target)
                inner_headers = dict(req.headers)
                if "authorization" not in inner_headers and "authorization" in headers:
                    inner_headers["authorization"] = headers["authorization"]
                routed = self.catalog.route(req.method, target.path)
                if routed is not None and routed[0].api != api:
                    reply = Reply.error(bad_request(
                        f"Batch endpoint {path} only accepts {api} calls, not {routed[0].id}."))
                else:
                    reply = self.handle(req.method, target.path,
                                        urllib.parse.parse_qs(target.query, keep_blank_values=True),
                                        inner_headers, req.body, in_batch=True)
                out_headers = dict(reply.headers)
                if reply.body is not None:
                    out_headers["Content-Type"] = reply.mimetype()
                parts.append((req.content_id, reply.status, out_headers, reply.payload()))
            payload, content_type = multipart.build_batch_response(parts)
            return Reply(200, payload, content_type=content_type)


def _modern(reply: Reply) -> Reply:
    """The error body without the legacy ``errors`` list; a scope 403 gets Google's ErrorInfo detail."""
    body = reply.body
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return reply
    error = dict(body["error"])
    legacy = error.pop("errors", None) or [{}]
    if legacy[0].get("reason") == "insufficientPermissions":
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                             "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com"}]
    return Reply(reply.status, {"error": error}, reply.headers, reply.content_type)


class _BatchMethod:
    scopes: tuple[str, ...] = ()


_BATCH_METHOD: Any = _BatchMethod()
