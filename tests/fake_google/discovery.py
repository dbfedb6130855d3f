"""The discovery documents shipped in google-api-python-client, turned into a route table.

The fake routes every request by the documents googleapiclient itself builds clients
from (``googleapiclient/discovery_cache/documents/*.json``), so a path or HTTP method
the real client would never produce is a 404 here too, and every handled method has
its query parameters and request body checked against the same document
(:mod:`.validation`).

Paths are served from the server's root exactly as ``rootUrl`` + ``servicePath`` +
``path`` would put them on Google's hosts: forms ``/v1/forms/...``, sheets
``/v4/spreadsheets/...``, drive ``/drive/v3/files...``, gmail ``/gmail/v1/users/...``,
directory ``/admin/directory/v1/groups/...``; media uploads under ``/upload/...``.
"""
from __future__ import annotations

import functools
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import googleapiclient

DOCUMENTS_DIR = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"

# short name used by the fake -> discovery document file
API_DOCUMENTS = {
    "forms": "forms.v1.json",
    "sheets": "sheets.v4.json",
    "drive": "drive.v3.json",
    "gmail": "gmail.v1.json",
    "directory": "admin.directory_v1.json",
}

# Batch paths per API, as used with BatchHttpRequest(batch_uri=fake.url + path). The
# discovery documents' own batchPath is plain "batch" (served too, see server._batch).
BATCH_PATHS = {
    "forms": "/batch/forms/v1",
    "sheets": "/batch/sheets/v4",
    "drive": "/batch/drive/v3",
    "gmail": "/batch/gmail/v1",
    "directory": "/batch/admin/directory_v1",
}
BATCH_ALIASES = {"/batch/admin/directory/v1": "directory"}

# One-Platform APIs reject unknown query parameters ("Cannot bind query parameter");
# the older apiary-style APIs (Drive v3, Gmail, Admin SDK) ignore them.
STRICT_QUERY_APIS = {"forms", "sheets"}


def call_key(method_id: str) -> str:
    """The counter key of a discovery method id: forms.forms.batchUpdate -> forms.batchUpdate."""
    for prefix, short in (("forms.forms.", "forms."), ("sheets.spreadsheets.", "sheets.")):
        if method_id.startswith(prefix):
            return short + method_id[len(prefix):]
    return method_id


@dataclass(frozen=True)
class Method:
    """One API method of a discovery document, routable from the server root."""

    api: str
    id: str
    key: str
    http_method: str
    template: str  # e.g. "drive/v3/files/{fileId}"
    regex: re.Pattern = field(compare=False)
    literal_length: int
    parameters: dict = field(compare=False)
    request_ref: str | None
    response_ref: str | None
    media_upload: dict | None = field(compare=False)
    scopes: tuple[str, ...]
    document: "Document" = field(compare=False, repr=False)

    def match(self, http_method: str, raw_path: str) -> dict[str, str] | None:
        if http_method != self.http_method:
            return None
        m = self.regex.fullmatch(raw_path)
        if m is None:
            return None
        return {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}

    def param(self, name: str) -> dict | None:
        """The description of a method parameter or of a global (standard) parameter."""
        return self.parameters.get(name) or self.document.global_parameters.get(name)


def _template_regex(template: str) -> tuple[re.Pattern, int]:
    parts = re.split(r"(\{\+?[A-Za-z0-9_.]+\})", template)
    out, literal = [], 0
    for part in parts:
        if part.startswith("{+"):
            out.append(f"(?P<{part[2:-1].replace('.', '_')}>.+)")
        elif part.startswith("{"):
            out.append(f"(?P<{part[1:-1].replace('.', '_')}>[^/]+)")
        else:
            out.append(re.escape(part))
            literal += len(part)
    return re.compile("/" + "".join(out)), literal


class Document:
    """A loaded discovery document: schemas, global parameters, methods."""

    def __init__(self, api: str, raw: dict[str, Any]) -> None:
        self.api = api
        self.raw = raw
        self.name = raw["name"]
        self.version = raw["version"]
        self.service_path = raw.get("servicePath", "")
        self.schemas: dict[str, dict] = raw.get("schemas", {})
        self.global_parameters: dict[str, dict] = raw.get("parameters", {})
        self.methods: list[Method] = list(self._collect(raw))

    def _collect(self, node: dict[str, Any]) -> Iterator[Method]:
        for desc in node.get("methods", {}).values():
            template = self.service_path + desc["path"]
            regex, literal = _template_regex(template)
            yield Method(
                api=self.api,
                id=desc["id"],
                key=call_key(desc["id"]),
                http_method=desc["httpMethod"],
                template=template,
                regex=regex,
                literal_length=literal,
                parameters=desc.get("parameters", {}),
                request_ref=(desc.get("request") or {}).get("$ref"),
                response_ref=(desc.get("response") or {}).get("$ref"),
                media_upload=desc.get("mediaUpload"),
                scopes=tuple(desc.get("scopes", ())),
                document=self,
            )
        for sub in node.get("resources", {}).values():
            yield from self._collect(sub)


class Catalog:
    """All the fake's APIs; routes (HTTP method, raw path) to a :class:`Method`."""

    def __init__(self, documents: dict[str, Document]) -> None:
        self.documents = documents
        methods = [m for d in documents.values() for m in d.methods]
        # the more literal characters a template has, the more specific it is
        self.methods = sorted(methods, key=lambda m: -m.literal_length)
        self.by_id = {m.id: m for m in methods}

    def route(self, http_method: str, raw_path: str) -> tuple[Method, dict[str, str]] | None:
        for method in self.methods:
            params = method.match(http_method, raw_path)
            if params is not None:
                return method, params
        return None

    def route_upload(self, http_method: str, raw_path: str) -> tuple[Method, dict[str, str]] | None:
        """Route ``/upload/<service path>...`` (and ``/resumable/upload/...``) to a media method."""
        for prefix in ("/resumable/upload/", "/upload/"):
            if raw_path.startswith(prefix):
                rest = "/" + raw_path[len(prefix):]
                for method in self.methods:
                    if method.media_upload:
                        params = method.match(http_method, rest)
                        if params is not None:
                            return method, params
        return None


@functools.lru_cache(maxsize=None)
def load_document(api: str) -> Document:
    path = DOCUMENTS_DIR / API_DOCUMENTS[api]
    return Document(api, json.loads(path.read_text(encoding="utf-8")))


def load_catalog() -> Catalog:
    return Catalog({api: load_document(api) for api in API_DOCUMENTS})
