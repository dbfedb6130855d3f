"""Request checks against a discovery document: query parameters and JSON bodies.

What is enforced (each failure is an HTTP 400 in Google's error JSON):

* **unknown fields** anywhere in a body (``Unknown name "x" at 'a.b': Cannot find field.``);
  proto-style snake_case names are accepted and normalised to camelCase, as Google does;
* **wrong JSON types**: string/integer/number/boolean/array/object per the schema,
  ``int32``/``uint32``/``int64`` ranges and syntax, ``byte`` (base64), ``google-datetime``
  (RFC 3339), ``google-duration``;
* **enum values** not in the document's ``enum`` list;
* **required fields**: a field whose description starts with ``Required.`` (the marker
  Google's generated docs use) or whose ``annotations.required`` names the method;
  numbers are exempt (in proto3 JSON an omitted number means 0).
  Callers can exempt fields or turn the check off below a field (for update requests
  whose nested resource is partial under an ``updateMask``);
* **query parameters**: unknown names on One-Platform APIs (Forms, Sheets), parameter
  types, enum values, ``minimum``/``maximum``, and ``required`` query parameters.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from typing import Any, Iterable

from .discovery import STRICT_QUERY_APIS, Method
from .errors import ApiError, bad_request

REQUIRED_MARK = re.compile(r"^\s*Required\b")
DURATION = re.compile(r"^-?\d+(\.\d{1,9})?s$")
INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def parse_rfc3339(text: str) -> dt.datetime:
    """Parse RFC 3339 ("2014-10-02T15:01:23Z", up to nanoseconds, or an offset)."""
    m = re.fullmatch(
        r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})", text
    )
    if not m:
        raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
    date, time, frac, zone = m.groups()
    micro = int((frac or "0").ljust(9, "0")[:6])
    tz = "+00:00" if zone in ("Z", "z") else zone
    return dt.datetime.fromisoformat(f"{date}T{time}{tz}").replace(microsecond=micro)


class _Path:
    """A field path printed the way Google prints it: requests[0].create_item.location."""

    def __init__(self, parts: tuple = ()) -> None:
        self.parts = parts

    def key(self, name: str) -> "_Path":
        return _Path(self.parts + (name,))

    def index(self, i: int) -> "_Path":
        return _Path(self.parts + (i,))

    def render(self, case=snake) -> str:
        out = ""
        for p in self.parts:
            out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + case(p))
        return out

    def __str__(self) -> str:
        return self.render()

    @property
    def json_path(self) -> str:
        return self.render(case=lambda s: s)


class BodyValidator:
    """Checks and normalises one request body against ``method``'s request schema.

    ``exempt``: ``{(schema, field)}`` whose "Required." mark is not enforced for this method.
    ``relaxed_below``: ``{(schema, field)}`` under which no "Required." mark is enforced.
    """

    def __init__(
        self,
        method: Method,
        *,
        exempt: Iterable[tuple[str, str]] = (),
        relaxed_below: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.method = method
        self.schemas = method.document.schemas
        self.exempt = set(exempt)
        self.relaxed_below = set(relaxed_below)

    def check(self, body: Any, ref: str | None = None) -> Any:
        ref = ref or self.method.request_ref
        if ref is None:
            return body
        return self._check(body, {"$ref": ref}, _Path(), True)

    # -- internals -------------------------------------------------------------------

    def _fail_type(self, path: _Path, kind: str, value: Any) -> ApiError:
        where = f" at '{path}'" if path.parts else ""
        return bad_request(
            f"Invalid value{where} ({kind}), {json.dumps(value)}", field=path.json_path
        )

    def _check(self, value: Any, schema: dict, path: _Path, required_on: bool) -> Any:
        name = None
        if "$ref" in schema:
            name = schema["$ref"]
            schema = self.schemas[name]
        if value is None:
            return None
        kind = schema.get("type", "any")
        if "properties" in schema:
            return self._check_message(value, schema, name or schema.get("id", "object"), path, required_on)
        if kind == "object":  # a map, or a free-form object
            if not isinstance(value, dict):
                raise self._fail_type(path, "TYPE_MESSAGE", value)
            sub = schema.get("additionalProperties", {})
            return {k: self._check(v, sub, path.key(k), required_on) for k, v in value.items()}
        if kind == "array":
            if not isinstance(value, list):
                raise self._fail_type(path, "TYPE_LIST", value)
            return [self._check(v, schema.get("items", {}), path.index(i), required_on) for i, v in enumerate(value)]
        if kind == "string":
            return self._check_string(value, schema, path)
        if kind == "integer":
            return self._check_integer(value, schema, path)
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise self._fail_type(path, "TYPE_DOUBLE", value)
            if isinstance(value, str):
                try:
                    float(value)
                except ValueError:
                    raise self._fail_type(path, "TYPE_DOUBLE", value) from None
            return value
        if kind == "boolean":
            if not isinstance(value, bool):
                raise self._fail_type(path, "TYPE_BOOL", value)
            return value
        return value  # "any"

    def _check_message(self, value: Any, schema: dict, name: str, path: _Path, required_on: bool) -> dict:
        if not isinstance(value, dict):
            raise self._fail_type(path, f"type.googleapis.com/{name}", value)
        props: dict = schema.get("properties", {})
        out: dict[str, Any] = {}
        for key, item in value.items():
            prop = key if key in props else camel(key)
            if prop not in props:
                where = f" at '{path}'" if path.parts else ""
                raise bad_request(
                    f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.',
                    field=path.key(key).json_path,
                )
            below = required_on and (name, prop) not in self.relaxed_below
            out[prop] = self._check(item, props[prop], path.key(prop), below)
        if required_on:
            for prop, desc in props.items():
                if (name, prop) in self.exempt or out.get(prop) is not None:
                    continue
                annotated = self.method.id in desc.get("annotations", {}).get("required", ())
                if not annotated and desc.get("type") in ("integer", "number"):
                    continue  # proto3: an omitted number is 0, which Google cannot tell from "not set"
                if annotated or REQUIRED_MARK.match(desc.get("description", "")):
                    field = path.key(prop)
                    raise bad_request(
                        f"Invalid value at '{field}': required field '{prop}' is not set.",
                        field=field.json_path,
                    )
        return out

    def _check_string(self, value: Any, schema: dict, path: _Path) -> Any:
        enum = schema.get("enum")
        fmt = schema.get("format")
        if enum is not None:
            if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(enum):
                return enum[value]
            if not isinstance(value, str) or value not in enum:
                raise self._fail_type(path, "TYPE_ENUM", value)
            return value
        if fmt in INT_RANGES:
            return self._check_integer(value, schema, path)
        if not isinstance(value, str):
            raise self._fail_type(path, "TYPE_STRING", value)
        if fmt == "byte":
            try:
                padded = value + "=" * (-len(value) % 4)
                if "-" in value or "_" in value:
                    base64.urlsafe_b64decode(padded)
                else:
                    base64.b64decode(padded, validate=True)
            except (binascii.Error, ValueError):
                raise self._fail_type(path, "TYPE_BYTES", value) from None
        elif fmt in ("google-datetime", "date-time"):
            try:
                parse_rfc3339(value)
            except ValueError:
                raise self._fail_type(path, "type.googleapis.com/google.protobuf.Timestamp", value) from None
        elif fmt == "google-duration" and not DURATION.match(value):
            raise self._fail_type(path, "type.googleapis.com/google.protobuf.Duration", value)
        return value

    def _check_integer(self, value: Any, schema: dict, path: _Path) -> Any:
        fmt = schema.get("format", "int32")
        label = "TYPE_" + fmt.upper()
        if isinstance(value, bool):
            raise self._fail_type(path, label, value)
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, int):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            number = int(value)
        else:
            raise self._fail_type(path, label, value)
        lo, hi = INT_RANGES.get(fmt, INT_RANGES["int64"])
        if not lo <= number <= hi:
            raise self._fail_type(path, label, value)
        return value if isinstance(value, str) and fmt in ("int64", "uint64") else number


def check_query(method: Method, query: dict[str, list[str]]) -> dict[str, Any]:
    """Convert the query string to typed values per the method's parameter descriptions."""
    strict = method.api in STRICT_QUERY_APIS
    typed: dict[str, Any] = {}
    for name, values in query.items():
        desc = method.param(name)
        if desc is None or desc.get("location") == "path":
            if strict:
                raise bad_request(
                    f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                    f"parameter. Field '{name}' could not be found in request message."
                )
            continue
        converted = [_convert_param(name, v, desc) for v in values]
        typed[name] = converted if desc.get("repeated") else converted[-1]
    for name, desc in method.parameters.items():
        if desc.get("location") == "query" and desc.get("required") and name not in typed:
            raise ApiError(400, f"Required parameter: {name}", reason="required", location=name)
    return typed


def _convert_param(name: str, raw: str, desc: dict) -> Any:
    kind = desc.get("type", "string")
    if "enum" in desc and raw not in desc["enum"]:
        raise bad_request(f"Invalid value at '{snake(name)}' (TYPE_ENUM), \"{raw}\"", field=name)
    if kind == "integer":
        try:
            value = int(raw)
        except ValueError:
            raise bad_request(f"Invalid value at '{snake(name)}' (TYPE_INT32), \"{raw}\"", field=name) from None
        lo, hi = desc.get("minimum"), desc.get("maximum")
        if (lo is not None and value < int(lo)) or (hi is not None and value > int(hi)):
            raise ApiError(
                400,
                f"Invalid value '{raw}'. Values must be within the range: [{lo or ''}, {hi or ''}]",
                reason="invalid",
                location=name,
            )
        return value
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise bad_request(f"Invalid value at '{snake(name)}' (TYPE_BOOL), \"{raw}\"", field=name)
        return raw.lower() == "true"
    return raw
