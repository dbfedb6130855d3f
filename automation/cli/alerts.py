"""``alerts`` (the problems the admin was alerted about and has not marked handled, in the words of the alert
mail and the console's Today page) and ``alerts handle PROBLEM ... | --all-skipped`` (the Today page's
"handled" buttons).  Both call :mod:`automation.jobs.alerts`, as the console does; handling is written to the
audit log with the actor ``cli``."""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import TYPE_CHECKING

from automation.cli.common import context_from, now_from

if TYPE_CHECKING:
    from automation.jobs.alerts import Explained

#: Who the audit log names for what this command does.
ACTOR = "cli"


def _both(ky: str, ru: str) -> str:
    return ky if ky == ru or not ru else f"{ky} / {ru}" if ky else ru


def alert_lines(e: Explained) -> list[str]:
    """One open alert (:class:`automation.jobs.alerts.Explained`) as the command prints it: Kyrgyz, then Russian
    (each line ``ky / ru``), the console link, the command that fixes it and the problem key to mark it handled."""
    lines = [_both(e.name.ky, e.name.ru),
             f"   {_both('Эмне болду', 'Что случилось')}: {_both(e.what.ky, e.what.ru)}",
             f"   {_both('Себеби', 'Причина')}: {_both(e.reason.ky, e.reason.ru)}",
             f"   {_both('Оңдоо', 'Исправить')}: {e.link}"]
    if e.command:
        lines.append(f"   {_both(e.command_words.ky, e.command_words.ru)}: {e.command}")
    handled = f"python main.py alerts handle {shlex.quote(e.alert.problem)}"
    lines.append(f"   {_both('Чечилгенде', 'Когда разобрано')}: {handled}")
    return lines


def cmd_alerts(args: argparse.Namespace) -> int:
    """``alerts``: every open alert, oldest first (:func:`automation.jobs.alerts.open_alerts`); exit 0."""
    from automation.jobs.alerts import open_alerts

    told = open_alerts(context_from(args, quiet=True))
    if not told:
        print("Ачык көйгөй жок / Открытых проблем нет.")
        return 0
    print(f"Ачык көйгөйлөр / Открытые проблемы: {len(told)}")
    for i, e in enumerate(told, start=1):
        print()
        first, *rest = alert_lines(e)
        print(f"{i}. {first}")
        for line in rest:
            print(line)
    skipped = sum(e.alert.kind == "skipped" for e in told)
    if skipped > 1:
        print(f"\n{_both('Өткөрүлгөндөрдүн баары', 'Все пропущенные сразу')} ({skipped}): "
              "python main.py alerts handle --all-skipped")
    return 0


def cmd_alerts_handle(args: argparse.Namespace) -> int:
    """``alerts handle PROBLEM ... | --all-skipped``: mark alerts handled (:func:`automation.jobs.alerts.handle`,
    :func:`~automation.jobs.alerts.handle_all`); one line per problem.  Exit 2 when a problem is unknown or was
    handled already (each is named on stderr; the others are handled all the same), else 0.

    Raises :class:`automation.errors.AutomationError` (exit 2, nothing changed) when neither or both of
    PROBLEM and ``--all-skipped`` are given."""
    from automation.errors import AutomationError
    from automation.jobs.alerts import handle, handle_all

    if bool(args.problem) == bool(args.all_skipped):
        raise AutomationError("alerts handle: give the problem key(s) that `python main.py alerts` prints, "
                              "or --all-skipped (not both); nothing was changed")
    ctx, now = context_from(args, quiet=True), now_from(args)
    if args.all_skipped:
        problems = [a.problem for a in ctx.store.alerts.open() if a.kind == "skipped"]
        if not problems:
            print("No skipped action is waiting to be marked handled: nothing was changed.")
            return 0
        n = handle_all(ctx, problems, ACTOR, now)
        print(f"Marked as handled: {n} skipped action(s).")
        return 0
    code = 0
    for problem in dict.fromkeys(args.problem):
        try:
            handle(ctx, problem, ACTOR, now)
        except AutomationError as e:
            print(f"Error: {e} (the open alerts and their keys: `python main.py alerts`)", file=sys.stderr)
            code = 2
        else:
            print(f"{problem}: marked as handled")
    return code
