"""``responses sync`` (pull responses, rewrite the workbooks) and ``responses import`` (a Google Forms CSV export)."""

from __future__ import annotations

import argparse

from automation.cli.common import context_from, now_from, service_from
from automation.errors import AutomationError


def cmd_responses_sync(args: argparse.Namespace) -> int:
    """``responses sync [FORM]``: one form, or every form made so far; exit 2 for an unknown form key."""
    from automation.jobs.responses import sync_form

    ctx = context_from(args, quiet=True)
    keys = [args.form] if args.form else [f.form_key for f in ctx.store.forms.all()]
    for k in keys:
        if ctx.store.forms.get(k) is None:
            raise AutomationError(f"no form {k!r} (see `forms list`)")
        print(f"{k}: {sync_form(ctx, k, now_from(args)).detail}")
    return 0


def cmd_responses_import(args: argparse.Namespace) -> int:
    """Import a Google Forms CSV export (:func:`automation.forms.importer.importing.import_export`); all or nothing."""
    from automation.forms.importer.importing import import_export
    from automation.forms.templates import get_template

    service = service_from(args)
    spec = get_template(args.template, service.config.templates) if args.template else None
    result = import_export(service.store, args.csv, spec, event_id=args.event, form_key=args.form_key,
                           pre_test=args.pre_test)
    print("\n".join(result.lines()))
    return 0
