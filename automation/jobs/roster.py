"""Roster jobs: import a roster file, add or remove one participant, bring the group in line with the roster.

The rules of a roster row are :func:`automation.roster.validate_person` (DESIGN.md principle 6: a file with
bad rows imports nothing unless the admin asks for the valid rows only).  The group sync computes the
difference between the active roster and the group's members and applies it through the backend's
:class:`automation.workspace.ports.GroupPort` in one call (batched by the adapter; DESIGN.md principle 4:
nothing is written when nothing differs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from automation.context import Context
from automation.errors import AutomationError, RosterError
from automation.model import Participant
from automation.roster import (RosterRead, field_problems, is_group_export, participant_id, read_group_export,
                               read_roster, validate_person)
from automation.store import RosterChange, Store


@dataclass(frozen=True)
class RosterFile:
    """A roster file read and validated: the club's roster CSV, or a Google Groups member export
    (``group_export``; its members have no oblast and language ``ky``)."""

    path: Path
    read: RosterRead
    group_export: bool


def read_roster_file(path: str | Path) -> RosterFile:
    """Read ``path`` as a Google Groups export when it looks like one (:func:`automation.roster.is_group_export`),
    else as the roster CSV.  Bad rows are in ``read.problems``; raises :class:`RosterError` only when the
    file as a whole cannot be read."""
    group = is_group_export(path)
    read = read_group_export(path) if group else read_roster(path)
    return RosterFile(Path(path), read, group)


def save_roster_file(store: Store, roster: RosterFile) -> RosterChange:
    """Write the valid rows of ``roster`` to the store in one transaction; returns what changed.

    A roster CSV updates the people already known (matched by e-mail); a Groups export only adds
    new members (it would blank their oblast and language otherwise).  The source recorded is the path.
    Leaving is sticky: someone in the file who has left the club stays out (``kept_left``); only
    :func:`rejoin_participant` brings her back.
    """
    return store.roster.upsert(roster.read.participants, source=str(roster.path),
                                     update_existing=not roster.group_export)


def new_participant(name: str, email: str, oblast: str, language: str, role: str = "", phone: str = "",
                    sex: str = "", municipality: str = "") -> Participant:
    """One participant from the admin's fields, validated like a roster row (e-mail lower-cased, oblast and
    role as codes); her id is :func:`automation.roster.participant_id` of the e-mail.

    Raises :class:`RosterError` (source ``roster add``) listing every problem.
    """
    fields = {"name": name, "email": email, "oblast": oblast, "language": language, "role": role, "phone": phone,
              "sex": sex, "municipality": municipality}
    problems = [f"--{f}: {e}" for f, v in fields.items() for e in field_problems(f, v.strip())]
    if problems:
        raise RosterError("roster add", problems)
    clean, problems = validate_person(name, email, oblast, role, language, phone, sex)
    if problems:
        raise RosterError("roster add", problems)
    return Participant(id=participant_id(clean["email"]), name=clean["name"], email=clean["email"],
                       phone=clean["phone"], oblast=clean["oblast"], municipality=municipality, role=clean["role"],
                       language=clean["language"], sex=clean["sex"])


#: The fields ``roster add --update`` may change, in the order its summary names them.
FIELDS = ("name", "phone", "oblast", "municipality", "role", "language", "sex")


@dataclass(frozen=True)
class Added:
    """What :func:`add_participant` did: ``status`` added | updated | unchanged, and ``changes``,
    ``(field, old value, new value)`` for each field an update changed."""

    status: str
    changes: tuple[tuple[str, str, str], ...] = ()


def changes_between(old: Participant, new: Participant) -> tuple[tuple[str, str, str], ...]:
    """``(field, old, new)`` for each field of :data:`FIELDS` that differs between two entries."""
    return tuple((f, getattr(old, f), getattr(new, f)) for f in FIELDS if getattr(old, f) != getattr(new, f))


def add_participant(store: Store, person: Participant, update: bool = False) -> Added:
    """Add ``person`` to the roster (source ``cli``).  An address already in the roster never silently
    overwrites someone: with the same fields nothing changes (``unchanged``); with other fields it is
    refused unless ``update``, and then the changes are returned.

    Raises :class:`RosterError` (source ``roster add``) when the address belongs to someone with other
    details and ``update`` is not given (naming what differs), or when she has left the club (bring her
    back with :func:`rejoin_participant` first).
    """
    old = store.roster.get(person.email)
    if old is None:
        store.roster.upsert([person], source="cli")
        return Added("added")
    if not old.active:
        raise RosterError("roster add", [
            f"{old.email} belongs to «{old.name}», who left the club on {(store.roster.left_at(old.email) or '')[:10]}; "
            f"nothing was changed. To bring her back: python main.py roster rejoin {old.email}"])
    changes = changes_between(old, person)
    if not changes:
        return Added("unchanged")
    if not update:
        raise RosterError("roster add", [
            f"{old.email} is already in the roster as «{old.name}»; this would change "
            + "; ".join(f"{f}: {a or '(empty)'} → {b or '(empty)'}" for f, a, b in changes)
            + ". Nothing was changed. If this is the same person, run the command again with --update; "
              "if it is someone else, check the address"])
    store.roster.upsert([person], source="cli")
    return Added("updated", changes)


def remove_participant(store: Store, email: str) -> None:
    """The participant with this e-mail leaves the club: no further mailings; her past responses are kept.

    Leaving is sticky: a later roster import does not bring her back (:func:`rejoin_participant` does).
    Raises :class:`AutomationError` when the address is not in the roster.
    """
    if not store.roster.set_active(email, False):
        raise AutomationError(f"{email} is not in the roster (see `roster list --all`)")


def rejoin_participant(store: Store, email: str) -> Participant:
    """The participant with this e-mail, who had left, is a member again (mail goes to her again); returns her.

    Raises :class:`AutomationError` when the address is not in the roster or she has not left.
    """
    old = store.roster.get(email.strip())
    if old is None:
        raise AutomationError(f"{email} is not in the roster (see `roster list --all`); to add her: roster add")
    if old.active:
        raise AutomationError(f"{old.email} ({old.name}) is a member already; nothing was changed")
    store.roster.set_active(old.email, True)
    return old


@dataclass(frozen=True)
class GroupSync:
    """What :func:`sync_group` found and did.

    ``outcome``: ``local`` (the local backend: the group is the roster itself, nothing to do), ``note``
    (the backend's group cannot be managed, e.g. a gmail.com account; ``note`` says why), ``in_line``
    (nothing differs), ``dry_run`` (differences shown, nothing changed) or ``applied``.
    ``roster``: active participants; ``members``: the group's members before; ``add``/``remove``: sorted
    lower-case addresses.
    """

    address: str
    roster: int
    members: int
    add: list[str]
    remove: list[str]
    outcome: str
    note: str = ""


def sync_group(ctx: Context, dry_run: bool = False) -> GroupSync:
    """Bring the backend's group in line with the active roster: add who is missing, remove who left.

    One ``members()`` read; one ``apply(add, remove)`` when something differs and not ``dry_run``.
    Raises what the group port raises (:class:`automation.errors.BackendError` on Google).
    """
    group = ctx.backend.group
    roster = {p.email for p in ctx.store.roster.participants(active_only=True)}
    members = group.members()
    add, remove = sorted(roster - members), sorted(members - roster)

    def result(outcome: str, note: str = "") -> GroupSync:
        return GroupSync(group.address, len(roster), len(members), add, remove, outcome, note)

    if not ctx.backend.has_real_group and not group.note:
        return result("local")
    if group.note:
        return result("note", group.note)
    if not add and not remove:
        return result("in_line")
    if dry_run:
        return result("dry_run")
    group.apply(add, remove)
    return result("applied")
