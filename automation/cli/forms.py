"""``forms list`` (forms made so far) and ``forms build`` (the Google Forms requests a template becomes)."""

from __future__ import annotations

import argparse
import json
import sys

from automation.cli.common import moment_from, service_from
from automation.model import BISHKEK, parse_iso


def cmd_forms_list(args: argparse.Namespace) -> int:
    """``forms list``: key, status, deadline (Asia/Bishkek), number of responses and link of every form."""
    store = service_from(args).store
    for f in store.forms.all():
        n = len(store.responses.list(f.form_key))
        print(f"{f.form_key:42} {f.status:6} deadline {parse_iso(f.deadline).astimezone(BISHKEK):%Y-%m-%d %H:%M}"
              f"  {n:4} response(s)  {f.url}")
    return 0


def cmd_forms_build(args: argparse.Namespace) -> int:
    """The Google Forms requests a template becomes (no network): see automation/workspace/google/forms.py.

    A template given as a ``.yaml`` path is read without the configuration; a template id is looked up in
    the configuration's templates folder.
    """
    from automation.model import I18n, Option
    from automation.forms.templates import get_template, load_template
    from automation.workspace.google.form_requests import build_form_requests, document_title

    if args.template.endswith((".yaml", ".yml")):
        spec = load_template(args.template)
    else:
        spec = get_template(args.template, service_from(args).config.templates)
    if any(q.options_from == "presenters" for q in spec.questions):
        names = [n.strip() for n in (args.presenters or "").split(",") if n.strip()]
        if not names:
            names = ["Presenter 1", "Presenter 2", "Presenter 3"]
            print("note: the presenters come from the event; example names are used (give --presenters)",
                  file=sys.stderr)
        spec = spec.with_options("presenters", [Option(f"p{i}", I18n(n, n)) for i, n in enumerate(names, 1)])
    deadline = moment_from(args.deadline, "--deadline") if args.deadline else None
    bodies = build_form_requests(spec, deadline, document_title=document_title(spec, args.key) if args.key else None)
    if args.json:
        print(json.dumps(bodies, ensure_ascii=False, indent=2))
        return 0
    items = sum(1 for r in bodies["batchUpdate"]["requests"] if "createItem" in r)
    print(f"{spec.id} v{spec.version}: {bodies['create']['info']['title']}")
    print(f"4 calls: forms.create (title only, unpublished), forms.batchUpdate "
          f"({len(bodies['batchUpdate']['requests'])} requests, {items} items), forms.setPublishSettings, "
          "Drive permissions.create (who may answer). "
          "Add --json to see the request bodies.")
    return 0


def cmd_forms_extend(args: argparse.Namespace) -> int:
    """``forms extend FORM DEADLINE``: move an open form's deadline later (:func:`automation.manual.extend_deadline`)."""
    from automation.cli.common import context_from, moment_from, now_from
    from automation.manual import extend_deadline
    from automation.model import BISHKEK

    deadline = moment_from(args.deadline, "DEADLINE")
    ctx = context_from(args, quiet=True)
    extend_deadline(ctx, args.form, deadline, "cli", now_from(args))
    print(f"{args.form}: open until {deadline.astimezone(BISHKEK):%Y-%m-%d %H:%M} (Asia/Bishkek); its reminder, "
          "closing and results follow.")
    return 0


def cmd_forms_check(args: argparse.Namespace) -> int:
    """``forms check FILE [--lang ky|ru] [--answers]``: validate a template, a test or a question bank and print
    it as the participant sees it; problems with their line numbers (exit status 1).  Stores nothing."""
    from automation.forms.check import check_file, gloss

    res = check_file(args.file, args.lang, args.answers)
    if not res.ok:
        print(f"Файлда {len(res.problems)} ката бар / В файле ошибок: {len(res.problems)} — {args.file}")
        for p in res.problems:
            print(f"  - {p}")
            if (g := gloss(p)) is not None:
                print(f"    ({g})")
        print("Оңдоп, кайра текшериңиз / Исправьте и проверьте снова: python main.py forms check " + args.file)
        return 1
    names = {"template": "форма үлгүсү / шаблон формы", "test": "тест / тест", "bank": "суроолор банкы / банк вопросов"}
    print(f"Туура / Всё верно: {args.file} ({names[res.what]})\n")
    print(res.text)
    return 0


def cmd_forms_edit(args: argparse.Namespace) -> int:
    """``forms edit FORM_KEY [--from FILE] [--deadline "YYYY-MM-DD HH:MM"] [--note TEXT]``: correct a form
    already sent (:func:`automation.forms.edit.edit_form`); a refused edit prints why and changes nothing."""
    from automation.cli.common import now_from
    from automation.forms.edit import EditRefused, edit_form, load_spec_file

    ctx = service_from(args).context
    store, forms = ctx.store, ctx.backend.forms
    new_spec = load_spec_file(args.source) if args.source else None
    deadline = moment_from(args.deadline, "--deadline") if args.deadline else None
    try:
        res = edit_form(store, forms, args.form_key, now_from(args), new_spec, deadline, args.note or "")
    except EditRefused as e:
        print(f"Форма өзгөртүлгөн жок / Форма не изменена: {args.form_key}")
        for p in e.problems:
            print(f"  - {p}")
        return 1
    print(f"Форма оңдолду / Форма исправлена: {res.form_key} v{res.old_version} → v{res.new_version}")
    for c in res.changes:
        print(f"  - {c}")
    print("Мурунку жооптор сакталды / Прежние ответы сохранены (each keeps the version it answered).")
    return 0
