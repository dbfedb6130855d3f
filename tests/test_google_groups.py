"""Group membership against the fake Directory API, and the roster-as-list of a gmail.com account."""
from __future__ import annotations

import math

import pytest

from automation.errors import BackendError
from automation.model import Participant
from automation.store import Store
from automation.workspace.google import Connection, DirectoryGroup, RosterListGroup
from conftest import google_connection

GROUP = "club@amuca.kg"


@pytest.fixture
def fake(fake_google):
    return fake_google()


@pytest.fixture
def conn(fake) -> Connection:
    return google_connection(fake)


def sync(group: DirectoryGroup, roster: set[str]) -> tuple[list[str], list[str]]:
    """What `roster sync-group` does: one list, then only the differences."""
    current = group.members()
    add, remove = sorted(roster - current), sorted(current - roster)
    group.apply(add, remove)
    return add, remove


def test_a_sync_with_nothing_to_change_costs_one_call(fake, conn):
    people = {f"p{i}@amuca.kg" for i in range(150)}
    fake.directory.add_group(GROUP, sorted(people))
    group = DirectoryGroup(conn, GROUP)
    assert sync(group, people) == ([], [])
    assert fake.calls == {"directory.members.list": 1}
    assert group.envelope() == [GROUP]


def test_members_are_listed_200_a_page(fake, conn):
    fake.directory.add_group(GROUP, [f"P{i}@amuca.kg" for i in range(450)])
    members = DirectoryGroup(conn, GROUP).members()
    assert len(members) == 450 and "p7@amuca.kg" in members
    assert fake.calls == {"directory.members.list": 3}


def test_differences_go_in_batches(fake, conn):
    fake.directory.add_group(GROUP, [f"old{i}@amuca.kg" for i in range(30)])
    fake.directory.add_group("admins@amuca.kg")
    fake.directory.groups[GROUP.lower()]["members"]["old0@amuca.kg"]["role"] = "OWNER"
    roster = {f"new{i}@amuca.kg" for i in range(120)} | {f"old{i}@amuca.kg" for i in range(10, 30)}
    group = DirectoryGroup(conn, GROUP, batch_size=50)
    fake.reset_calls()
    add, remove = sync(group, roster)
    d = len(add) + len(remove)
    assert d == 130
    assert fake.calls["directory.members.list"] == 1
    assert fake.calls["directory.batch"] == math.ceil((d - 1) / 50)  # the owner is kept
    assert group.kept == ["old0@amuca.kg"]
    assert set(fake.directory.members(GROUP)) == roster | {"old0@amuca.kg"}
    fake.reset_calls()
    assert sync(group, roster | {"old0@amuca.kg"}) == ([], [])
    assert fake.calls == {"directory.members.list": 1}


def test_already_done_parts_count_as_done_and_busy_parts_are_retried(fake, conn):
    fake.directory.add_group(GROUP, ["a@amuca.kg"])
    group = DirectoryGroup(conn, GROUP)
    group.members()
    fake.fail_next(1, 429, "directory.members.insert", after=1)  # the 2nd insert of the batch is rate-limited
    group.apply(["a@amuca.kg", "b@amuca.kg", "c@amuca.kg"], ["gone@amuca.kg"])  # a: 409, gone: 404
    assert sorted(fake.directory.members(GROUP)) == ["a@amuca.kg", "b@amuca.kg", "c@amuca.kg"]
    assert fake.calls["directory.batch"] == 2


def test_a_rejected_change_names_the_address(fake, conn):
    fake.directory.add_group(GROUP)
    with pytest.raises(BackendError, match="not-an-address"):
        DirectoryGroup(conn, GROUP).apply(["not-an-address", "ok@amuca.kg"], [])
    assert fake.directory.members(GROUP) == ["ok@amuca.kg"]


def test_unknown_group_is_a_clear_error(fake, conn):
    with pytest.raises(BackendError, match="not found"):
        DirectoryGroup(conn, "nope@amuca.kg").members()


def test_gmail_com_roster_is_the_list():
    store = Store(":memory:")
    store.roster.upsert([Participant(id=f"p{i}", name=f"N{i}", email=f"p{i}@example.org") for i in range(3)],
                              source="test")
    store.roster.set_active("p1@example.org", False)
    group = RosterListGroup(store, "amuca@gmail.com")
    assert group.envelope() == ["p0@example.org", "p2@example.org"]
    group.apply(["x@example.org"], [])  # nothing to do: the roster is the list
    assert group.members() == {"p0@example.org", "p2@example.org"}
    assert "gmail.com" in group.note and "Bcc" in group.note


def test_revoked_sign_in_says_run_auth(fake, conn):
    from automation.workspace.google import GoogleAuthError

    fake.directory.add_group(GROUP)
    fake.revoke("tok")
    with pytest.raises(GoogleAuthError, match="python main.py auth"):
        DirectoryGroup(conn, GROUP).members()
    with pytest.raises(GoogleAuthError, match="python main.py auth"):
        DirectoryGroup(conn, GROUP).apply(["a@amuca.kg"], [])
