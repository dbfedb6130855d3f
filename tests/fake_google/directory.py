"""Admin SDK Directory v1, group members: members.list / get / insert / delete
(also inside batch requests at ``/batch/admin/directory_v1``).

Groups are set up by tests with :meth:`DirectoryBackend.add_group` (the fake does not
serve groups.insert). Rules enforced (Directory API reference):
* unknown group -> 404 ``Resource Not Found: groupKey``; unknown member -> 404
  ``Resource Not Found: memberKey``;
* insert: ``email`` required ("This property is required when adding a member");
  ``role`` one of OWNER, MANAGER, MEMBER (default MEMBER); an existing member -> 409
  ``Member already exists.`` (reason ``duplicate``);
* list: ``maxResults`` 1..200 (default 200), ``roles`` filter, page tokens; an empty
  group's answer has no ``members`` key.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from .errors import ApiError, bad_request, page_offset

if TYPE_CHECKING:
    from .server import Call, FakeGoogle

ROLES = ("OWNER", "MANAGER", "MEMBER")


class DirectoryBackend:
    def __init__(self, fake: "FakeGoogle") -> None:
        self.fake = fake
        self.groups: dict[str, dict[str, Any]] = {}  # lower-cased email -> group

    def handlers(self) -> dict[str, Any]:
        return {
            "directory.members.list": self.list,
            "directory.members.get": self.get,
            "directory.members.insert": self.insert,
            "directory.members.delete": self.delete,
        }

    # -- test-side helpers ------------------------------------------------------------------

    def add_group(self, email: str, members: Iterable[str] = (), *, role: str = "MEMBER") -> dict[str, Any]:
        group = {"id": self._numeric_id(), "email": email, "members": {}}
        self.groups[email.lower()] = group
        for address in members:
            self._add(group, {"email": address, "role": role})
        return group

    def members(self, group_email: str) -> list[str]:
        return [m["email"] for m in self.groups[group_email.lower()]["members"].values()]

    # -- internals ----------------------------------------------------------------------------

    def _numeric_id(self) -> str:
        return "".join(self.fake.random.choice("0123456789") for _ in range(21))

    def _group(self, key: str) -> dict[str, Any]:
        group = self.groups.get(key.lower())
        if group is None:
            group = next((g for g in self.groups.values() if g["id"] == key), None)
        if group is None:
            raise ApiError(404, "Resource Not Found: groupKey", reason="notFound")
        return group

    def _member(self, group: dict[str, Any], key: str) -> dict[str, Any]:
        member = group["members"].get(key.lower())
        if member is None:
            member = next((m for m in group["members"].values() if m["id"] == key), None)
        if member is None:
            raise ApiError(404, "Resource Not Found: memberKey", reason="notFound")
        return member

    def _add(self, group: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        address = body.get("email")
        if not address:
            raise bad_request("Missing required field: email", reason="required")
        if "@" not in address:
            raise bad_request("Invalid Input: memberKey", reason="invalid")
        role = (body.get("role") or "MEMBER").upper()
        if role not in ROLES:
            raise bad_request(f"Invalid Input: role {body.get('role')!r} (OWNER, MANAGER or MEMBER)", reason="invalid")
        if address.lower() in group["members"]:
            raise ApiError(409, "Member already exists.", reason="duplicate")
        member = {
            "kind": "admin#directory#member",
            "etag": f'"{self.fake.new_id(27)}"',
            "id": self._numeric_id(),
            "email": address,
            "role": role,
            "type": body.get("type") or ("GROUP" if address.lower() in self.groups else "USER"),
            "status": "ACTIVE",
        }
        if body.get("delivery_settings"):
            member["delivery_settings"] = body["delivery_settings"]
        group["members"][address.lower()] = member
        return member

    # -- handlers --------------------------------------------------------------------------------

    def list(self, call: "Call") -> Any:
        group = self._group(call.arg("groupKey"))
        size = call.query.get("maxResults") or 200
        if size > 200:
            raise ApiError(400, f"Invalid value '{size}'. Values must be within the range: [1, 200]",
                           reason="invalid", location="maxResults")
        roles = {r.strip().upper() for r in (call.query.get("roles") or "").split(",") if r.strip()}
        members = [m for m in group["members"].values() if not roles or m["role"] in roles]
        start = page_offset(call.query.get("pageToken"))
        page = members[start:start + size]
        out: dict[str, Any] = {"kind": "admin#directory#members", "etag": f'"{self.fake.new_id(27)}"'}
        if page:
            out["members"] = page
        if start + size < len(members):
            out["nextPageToken"] = str(start + size)
        return out

    def get(self, call: "Call") -> Any:
        return self._member(self._group(call.arg("groupKey")), call.arg("memberKey"))

    def insert(self, call: "Call") -> Any:
        return self._add(self._group(call.arg("groupKey")), call.body or {})

    def delete(self, call: "Call") -> None:
        group = self._group(call.arg("groupKey"))
        member = self._member(group, call.arg("memberKey"))
        del group["members"][member["email"].lower()]
        return None
