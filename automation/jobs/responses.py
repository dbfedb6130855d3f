"""Response jobs: pull new responses from the backend into the store, then write the form's worksheet.

The worksheet is written whole in one request (DESIGN.md call budget), from the
store, so a sync after a crash rewrites the same rows and never duplicates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automation.context import Context
from automation.errors import AutomationError
from automation.model import Action, BISHKEK, OBLASTS, ROLES, FormSpec, parse_iso
from automation.jobs import JobResult, done, skipped


def sync(ctx: Context, action: Action, now: datetime) -> JobResult:
    """The scheduled sync after a form's deadline (also run by ``responses sync``)."""
    key = action.payload["form_key"]
    if ctx.store.forms.get(key) is None:
        return skipped("the form was never created")
    return sync_form(ctx, key, now)


def sync_form(ctx: Context, form_key: str, now: datetime) -> JobResult:
    """Fetch responses newer than the last sync, store them, rewrite the worksheet.  Returns a summary.

    Raises :class:`AutomationError` for an unknown form, :class:`BackendError` when the backend fails.
    """
    row = ctx.store.forms.get(form_key)
    if row is None:
        raise AutomationError(f"no form {form_key!r} (see `forms list`)")
    spec = row.spec()
    since = parse_iso(row.sync_cursor) if row.sync_cursor else None
    fetched = ctx.backend.forms.fetch_responses(form_key, row.external_id, spec, since)
    new = 0
    if fetched:
        by_email = {p.email: p.id for p in ctx.store.roster.participants(active_only=False)}
        new = ctx.store.responses.add(form_key, [{
            "response_id": r.response_id, "participant_id": r.participant_id or by_email.get((r.respondent_email or "").lower()),
            "respondent_email": r.respondent_email, "submitted_at": r.submitted_at, "answers": r.answers,
            "raw": r.raw or {},
        } for r in fetched], source=ctx.backend.forms.backend)
        cursor = max(r.submitted_at for r in fetched)
        ctx.store.forms.set_sync_cursor(form_key, cursor)
    header, rows = worksheet_rows(ctx, spec, form_key)
    where = ctx.backend.sheets.write_responses(form_key, spec.title.ru, header, rows)
    ctx.store.forms.set_synced(form_key, now)
    return done(f"{len(rows)} responses ({new} new) written to {where}")


def _cell(q: Any, v: Any, lang: str = "ru") -> Any:
    if v is None:
        return None
    if q.kind in ("single_choice", "dropdown"):
        return q.option_label(v, lang)
    if q.kind == "multiple_choice":
        return "; ".join(q.option_label(x, lang) for x in v)
    return v


def worksheet_rows(ctx: Context, spec: FormSpec, form_key: str) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of a form's worksheet: one row per response, question titles (ru) as headers.

    Columns: submitted at (Asia/Bishkek), e-mail, oblast, role (joined from the
    roster by participant), then one column per question; a grid question has
    one column per row, titled ``Question [Row]`` as in Google's own sheets.
    """
    roster = {p.id: p for p in ctx.store.roster.participants(active_only=False)}
    header = ["Отметка времени", "Адрес электронной почты", "Область", "Роль"]
    cols: list[tuple[Any, str | None]] = []
    for q in spec.questions:
        if q.kind == "grid":
            for r in q.rows:
                header.append(f"{q.title.ru} [{r.label.ru}]")
                cols.append((q, r.id))
        else:
            header.append(q.title.ru)
            cols.append((q, None))
    if spec.quiz:
        header.append("Баллы")
    rows = []
    from automation.forms.answers import score

    for resp in ctx.store.responses.list(form_key):
        ans = resp.answers
        p = roster.get(resp.participant_id) if resp.participant_id else None
        line: list[Any] = [
            parse_iso(resp.submitted_at).astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M:%S"),
            resp.respondent_email or "",
            OBLASTS[p.oblast]["ru"] if p and p.oblast in OBLASTS else "",
            ROLES[p.role]["ru"] if p and p.role in ROLES else "",
        ]
        for q, row_id in cols:
            v = ans.get(q.id)
            if row_id is not None:
                line.append(q.option_label(v[row_id]) if isinstance(v, dict) and row_id in v else None)
            else:
                line.append(_cell(q, v))
        if spec.quiz:
            line.append(f"{score(spec, ans):g} / {spec.max_score}")
        rows.append(line)
    return header, rows
