"""``roster import/add/list/remove/sync-group``: the mailing list (:mod:`automation.jobs.roster`)."""

from __future__ import annotations

import argparse
import sys

from automation.cli.common import context_from, service_from


def cmd_roster_import(args: argparse.Namespace) -> int:
    """``roster import CSV [--skip-invalid]``: every bad row on stderr; with bad rows and no --skip-invalid,
    nothing is imported and the exit code is 2."""
    from automation.jobs.roster import read_roster_file, save_roster_file

    service = service_from(args)
    roster = read_roster_file(args.csv)
    read = roster.read
    if read.problems:
        print(f"{args.csv}: {len(read.problems)} of {read.rows} row(s) have problems:", file=sys.stderr)
        for p in read.problems:
            print(f"  - {p}", file=sys.stderr)
        if not args.skip_invalid:
            print("Nothing was imported. Fix the rows above, or import the valid rows only with --skip-invalid.",
                  file=sys.stderr)
            return 2
    change = save_roster_file(service.store, roster)
    added, updated, left = change.added, change.updated, change.kept_left
    skipped = f", {len(read.problems)} invalid row(s) skipped" if read.problems else ""
    stayed = f", {len(left)} who left the club not brought back" if left else ""
    if roster.group_export:
        print(f"Google Groups export: {added} new member(s) added, {len(read.participants) - added - len(left)} "
              f"already in the roster{stayed}{skipped}. The export has no oblast or language: new members get "
              "language ky and no oblast; complete them in the roster CSV and import it again.")
    else:
        print(f"Imported {len(read.participants)} participant(s): {added} new, {updated} updated{stayed}{skipped}.")
    if left:
        print(left_summary([p.name for p in left], [p.email for p in left]))
    return 0


def left_summary(names: list[str], emails: list[str]) -> str:
    """The import's lines, Kyrgyz first, on the people in the file who had left the club and stay out."""
    who = ", ".join(f"{n} <{e}>" for n, e in zip(names, emails))
    return (f"Клубдан чыгып кеткен {len(names)} катышуучу кайра кошулган жок: {who}. "
            "Кайра кошуу үчүн: python main.py roster rejoin EMAIL\n"
            f"Покинувшие клуб ({len(names)}) не возвращены в список: {who}. "
            "Вернуть участницу: python main.py roster rejoin EMAIL")


def cmd_roster_add(args: argparse.Namespace) -> int:
    """``roster add --name --email --oblast --language [--role --phone --municipality --sex] [--update]``:
    an address already in the roster is refused (exit 2, what differs named) unless ``--update``, which
    prints each change."""
    from automation.jobs.roster import add_participant, new_participant

    service = service_from(args)
    person = new_participant(args.name, args.email, args.oblast, args.language, role=args.role or "",
                             phone=args.phone or "", sex=args.sex or "", municipality=args.municipality or "")
    res = add_participant(service.store, person, update=args.update)
    if res.status == "added":
        print(f"{person.email} added to the roster.")
    elif res.status == "unchanged":
        print(f"{person.email} is already in the roster with these details; nothing changed.")
    else:
        print(f"{person.email} updated in the roster:")
        for field, old, new in res.changes:
            print(f"  {field}: {old or '(empty)'} → {new or '(empty)'}")
    return 0


def cmd_roster_rejoin(args: argparse.Namespace) -> int:
    """``roster rejoin EMAIL``: someone who had left is a member again (exit 2 if unknown or not left)."""
    from automation.jobs.roster import rejoin_participant

    p = rejoin_participant(service_from(args).store, args.email)
    print(f"{p.name} <{p.email}> is a member again: the club's mailings go to her from now on.")
    return 0


def cmd_roster_list(args: argparse.Namespace) -> int:
    """``roster list [--all]``: name, e-mail, oblast (ru), role, language; ``(left)`` for who left."""
    from automation.model import OBLASTS

    people = service_from(args).store.roster.participants(active_only=not args.all)
    for p in people:
        print(f"{p.name:32} {p.email:38} {OBLASTS.get(p.oblast, {}).get('ru', p.oblast):18} {p.role:18} {p.language}"
              + ("" if p.active else "  (left)"))
    print(f"{len(people)} participant(s)")
    return 0


def cmd_roster_remove(args: argparse.Namespace) -> int:
    """``roster remove EMAIL``: she leaves the club (exit 2 if she is not in the roster)."""
    from automation.jobs.roster import remove_participant

    remove_participant(service_from(args).store, args.email)
    print(f"{args.email} has left the club: no further mailings; her past responses are kept.")
    return 0


def cmd_roster_sync_group(args: argparse.Namespace) -> int:
    """``roster sync-group [--dry-run]``: the differences between the group and the roster, then applied."""
    from automation.jobs.roster import sync_group

    res = sync_group(context_from(args, quiet=True), dry_run=args.dry_run)
    if res.outcome == "local":
        print(f"Local backend: the group {res.address} is the roster itself ({res.roster} active member(s)); "
              "mail to the group goes to every active participant. Nothing to synchronise.")
        return 0
    if res.outcome == "note":
        print(res.note)
        return 0
    print(f"Group {res.address}: {res.members} member(s), roster: {res.roster} active participant(s).")
    for e in res.add:
        print(f"  + {e}")
    for e in res.remove:
        print(f"  - {e}")
    if res.outcome == "in_line":
        print("Nothing differs.")
    elif res.outcome == "dry_run":
        print(f"Dry run: {len(res.add)} to add, {len(res.remove)} to remove; nothing was changed.")
    else:
        print(f"Done: {len(res.add)} added, {len(res.remove)} removed.")
    return 0
