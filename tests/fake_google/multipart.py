"""MIME multipart bodies: media uploads (multipart/related) and batch (multipart/mixed).

googleapiclient writes these with Python's email generator (``\\n`` line breaks), other
clients with ``\\r\\n``; both are read here. Batch responses are written the way Google
writes them (``Content-ID: <response-...>``, each part an ``application/http`` message).
"""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from .errors import bad_request


def boundary_of(content_type: str) -> str:
    m = re.search(r'boundary="?([^";]+)"?', content_type or "")
    if not m:
        raise bad_request("Missing multipart boundary in Content-Type.")
    return m.group(1)


def _split_head(piece: bytes) -> tuple[dict[str, str], bytes]:
    candidates = [(i, n) for i, n in ((piece.find(b"\r\n\r\n"), 4), (piece.find(b"\n\n"), 2)) if i >= 0]
    if piece.startswith(b"\r\n"):
        return {}, piece[2:]
    if piece.startswith(b"\n"):
        return {}, piece[1:]
    if not candidates:
        return _headers(piece), b""
    idx, n = min(candidates)
    return _headers(piece[:idx]), piece[idx + n:]


def _headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").splitlines():
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return headers


def split(body: bytes, boundary: str) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a multipart body as (lower-cased headers, content bytes)."""
    delimiter = b"--" + boundary.encode()
    pieces = body.split(delimiter)
    parts = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        if piece.startswith(b"\r\n"):
            piece = piece[2:]
        elif piece.startswith(b"\n"):
            piece = piece[1:]
        if piece.endswith(b"\r\n"):
            piece = piece[:-2]
        elif piece.endswith(b"\n"):
            piece = piece[:-1]
        parts.append(_split_head(piece))
    return parts


@dataclass
class InnerRequest:
    """One request of a batch, as parsed from its application/http part."""

    content_id: str
    method: str
    target: str  # path?query
    headers: dict[str, str]
    body: bytes


def parse_batch(body: bytes, content_type: str) -> list[InnerRequest]:
    if not content_type.lower().startswith("multipart/mixed"):
        raise bad_request("A batch request must be multipart/mixed.")
    requests = []
    for part_headers, content in split(body, boundary_of(content_type)):
        first, _, rest = content.partition(b"\n")
        line = first.decode("utf-8").strip()
        try:
            method, target, _version = line.split(" ", 2)
        except ValueError:
            raise bad_request(f"Malformed request line in batch part: {line!r}") from None
        headers, inner_body = _split_head(rest) if rest.strip() else ({}, b"")
        if "content-length" in headers:
            inner_body = inner_body[: int(headers["content-length"])]
        requests.append(
            InnerRequest(part_headers.get("content-id", ""), method.upper(), target, headers, inner_body)
        )
    return requests


REASONS = {200: "OK", 204: "No Content", 308: "Permanent Redirect", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
           429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented",
           503: "Service Unavailable"}


def build_batch_response(parts: list[tuple[str, int, dict[str, str], bytes]]) -> tuple[bytes, str]:
    """parts: (request Content-ID, status, headers, body) -> (body, content type)."""
    boundary = "batch_" + secrets.token_hex(12)
    out = []
    for content_id, status, headers, body in parts:
        cid = content_id.strip()
        response_id = f"<response-{cid[1:-1]}>" if cid.startswith("<") else f"response-{cid}"
        head = [f"HTTP/1.1 {status} {REASONS.get(status, 'Status')}"]
        headers = dict(headers)
        headers.setdefault("Content-Length", str(len(body)))
        head += [f"{k}: {v}" for k, v in headers.items()]
        out.append(
            f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: {response_id}\r\n\r\n".encode()
            + "\r\n".join(head).encode() + b"\r\n\r\n" + body + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/mixed; boundary={boundary}"


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8")
