"""``users add|list|remove``: the admin console's accounts (:mod:`automation.web.admin.accounts`)."""

from __future__ import annotations

import argparse
import getpass
import sys

from automation.cli.common import service_from
from automation.errors import AutomationError


def _read_password(args: argparse.Namespace) -> str:
    """The new password: the first line of stdin with ``--password-stdin`` (or when stdin is not a terminal),
    else asked twice at a prompt that does not echo."""
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 10 characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise AutomationError("the two passwords differ; nothing was changed")
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    """``users add EMAIL --role admin|mentor|commission [--password-stdin]``: a console account."""
    from automation.web.admin.accounts import add_user

    store = service_from(args).store
    user = add_user(store, args.email, args.role, _read_password(args), by="cli")
    print(f"{user.email}: account added with the role {user.role}; sign in at /admin/ of `serve`.")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    """``users list``: e-mail, role, when added, last sign-in (Asia/Bishkek is not applied: UTC)."""
    users = service_from(args).store.console.users()
    for u in users:
        print(f"{u.email:40} {u.role:11} added {u.created_at[:10]}  last sign-in {(u.last_login_at or 'never')[:16]}")
    print(f"{len(users)} account(s)")
    return 0


def cmd_users_remove(args: argparse.Namespace) -> int:
    """``users remove EMAIL``: the account can no longer sign in (exit 2 if unknown or the last admin)."""
    from automation.web.admin.accounts import remove_user

    remove_user(service_from(args).store, args.email, by="cli")
    print(f"{args.email}: account removed; an open session of it ends at its next page.")
    return 0
