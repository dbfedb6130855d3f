"""The Roster page (admin only): search, add, edit, leave, rejoin, and CSV import with each problem by line.

Every change goes through the roster library (:mod:`automation.jobs.roster`: the same checks and messages
as ``roster add``/``roster import``/``roster remove``) and is written to the audit log.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from flask import redirect, request, url_for

from automation.errors import AutomationError, ValidationError
from automation.jobs.roster import (add_participant, left_summary, new_participant, read_roster_file, rejoin_participant,
                                   remove_participant, save_roster_file)
from automation.model import OBLASTS, ROLES, Participant
from automation.web.admin.auth import current_user, requires
from automation.web.admin.common import TEXTS, bp, lang, now, ok, problem, render, store

#: Largest roster file accepted through the page (bytes); the app's own request limit is 1 MB.
MAX_CSV_BYTES = 900 * 1024
_FIELDS = ("name", "email", "phone", "oblast", "municipality", "role", "language", "sex")


def _matches(p: Participant, q: str) -> bool:
    q = q.casefold()
    return any(q in (v or "").casefold() for v in (p.name, p.email, p.phone, p.municipality,
                                                    OBLASTS.get(p.oblast, {}).get("ru", p.oblast),
                                                    OBLASTS.get(p.oblast, {}).get("ky", p.oblast)))


def _who() -> str:
    user = current_user()
    return user.email if user else "?"


def _page(status: int = 200, form: dict[str, str] | None = None, import_problems: list[str] | None = None) -> Any:
    q = request.args.get("q", "").strip()[:100]
    show_all = request.args.get("all") == "1"
    people = store().roster.participants(active_only=not show_all)
    if q:
        people = [p for p in people if _matches(p, q)]
    return render("roster.html", status=status, page="roster", people=people, q=q, show_all=show_all,
                  oblasts=OBLASTS, roles=ROLES, form=form or {}, import_problems=import_problems or [])


@bp.get("/roster")
@requires("admin")
def roster() -> Any:
    """The list, with the search box, the add form and the import form."""
    return _page()


def _person_from_form() -> Participant:
    f = request.form
    return new_participant(f.get("name", ""), f.get("email", ""), f.get("oblast", ""), f.get("language", ""),
                           role=f.get("role", ""), phone=f.get("phone", ""), sex=f.get("sex", ""),
                           municipality=f.get("municipality", ""))


@bp.post("/roster/add")
@requires("admin")
def roster_add() -> Any:
    """Add one participant; an address already in the roster is never overwritten from here."""
    form = {k: request.form.get(k, "")[:300] for k in _FIELDS}
    try:
        person = _person_from_form()
    except ValidationError as e:
        problem(str(e))
        return _page(422, form=form)
    s = store()
    old = s.roster.get(person.email)
    if old is not None:
        problem(TEXTS[lang()]["exists"].format(email=old.email, name=old.name))
        return _page(409, form=form)
    with s.transaction():
        add_participant(s, person)
        s.console.audit(_who(), "roster.add", person.email, person.name, now())
    ok("added_ok", email=person.email)
    return redirect(url_for("admin.roster", q=person.email), code=303)


@bp.route("/roster/<pid>/edit", methods=["GET", "POST"])
@requires("admin")
def roster_edit(pid: str) -> Any:
    """Edit a participant's fields (not her address: it is her key; not someone who left: rejoin her first)."""
    s = store()
    person = s.roster.get(pid)
    if person is None or not pid.startswith("p"):
        return render("message.html", status=404, title=TEXTS[lang()]["not_found_title"], text=TEXTS[lang()]["not_found"])
    values = {k: str(getattr(person, k)) for k in _FIELDS}
    if request.method == "GET":
        return render("roster_edit.html", page="roster", person=person, form=values, oblasts=OBLASTS, roles=ROLES)
    form = {k: request.form.get(k, "")[:300] for k in _FIELDS}
    form["email"] = person.email
    status = 422
    try:
        if not person.active:
            raise AutomationError(f"{person.email} has left the club: rejoin her first, then edit; nothing was changed")
        f = request.form
        changed = new_participant(f.get("name", ""), person.email, f.get("oblast", ""), f.get("language", ""),
                                  role=f.get("role", ""), phone=f.get("phone", ""), sex=f.get("sex", ""),
                                  municipality=f.get("municipality", ""))
    except AutomationError as e:
        problem(str(e))
        return render("roster_edit.html", status=status, page="roster", person=person, form=form, oblasts=OBLASTS,
                      roles=ROLES)
    with s.transaction():
        res = add_participant(s, changed, update=True)  # an edit is the explicit update of `roster add --update`
        diff = ", ".join(f"{k}: {old!r} → {new!r}" for k, old, new in res.changes)
        s.console.audit(_who(), "roster.edit", person.email, diff, now())
    ok("saved_ok", email=person.email)
    return redirect(url_for("admin.roster", q=person.email), code=303)


@bp.post("/roster/<pid>/leave")
@requires("admin")
def roster_leave(pid: str) -> Any:
    """She leaves the club (``roster remove``): no more mail; her answers are kept."""
    s = store()
    person = s.roster.get(pid)
    try:
        if person is None:
            raise AutomationError(f"{pid[:40]} is not in the roster; nothing was changed")
        with s.transaction():
            remove_participant(s, person.email)
            s.console.audit(_who(), "roster.leave", person.email, person.name, now())
        ok("left_ok", email=person.email)
    except AutomationError as e:
        problem(str(e))
    q = request.form.get("q", "").strip()[:100]  # back to her search (with those who left, so she is still seen)
    return redirect(url_for("admin.roster", all="1", q=q or None), code=303)


@bp.post("/roster/<pid>/rejoin")
@requires("admin")
def roster_rejoin(pid: str) -> Any:
    """She is a member again (mail goes to her from now on)."""
    s = store()
    person = s.roster.get(pid)
    if person is None:
        problem(f"{pid[:40]} is not in the roster; nothing was changed")
    else:
        try:
            with s.transaction():
                rejoin_participant(s, person.email)  # the same rule as `roster rejoin`
                s.console.audit(_who(), "roster.rejoin", person.email, person.name, now())
        except AutomationError as e:
            problem(str(e))
        else:
            ok("rejoined_ok", email=person.email)
    return redirect(url_for("admin.roster", q=person.email if person else None), code=303)


@bp.post("/roster/import")
@requires("admin")
def roster_import() -> Any:
    """Import a roster CSV as ``roster import`` does: every bad row shown with its line; with bad rows nothing is
    imported unless "only the valid rows" is ticked."""
    upload = request.files.get("csv")
    if upload is None or not upload.filename:
        problem("choose the roster CSV file first; nothing was imported")
        return _page(422)
    data = upload.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        problem(f"the file is larger than {MAX_CSV_BYTES // 1024} KB: is it the roster CSV? Nothing was imported")
        return _page(413)
    name = Path(upload.filename).name[:80] or "roster.csv"
    fd, tmp = tempfile.mkstemp(prefix="roster_", suffix=".csv")  # 0600: it holds names and addresses
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        try:
            roster_file = read_roster_file(tmp)
        except ValidationError as e:
            problem(str(e).replace(tmp, name))
            return _page(422)
        read = roster_file.read
        problems = [p for p in read.problems]
        if problems and request.form.get("skip_invalid") != "1":
            return _page(422, import_problems=problems)
        s = store()
        with s.transaction():
            change = save_roster_file(s, roster_file)
            added, updated = change.added, change.updated
            s.console.audit(_who(), "roster.import", name, f"{added} new, {updated} updated, {len(problems)} skipped",
                            now())
    finally:
        os.unlink(tmp)
    skipped = f", {len(problems)} ✗" if problems else ""
    ok("imported_ok", added=added, updated=updated, skipped=skipped)
    if change.kept_left:  # leaving is sticky: say who stayed out, as `roster import` does
        problem(left_summary([p.name for p in change.kept_left], [p.email for p in change.kept_left]))
    return redirect(url_for("admin.roster"), code=303)
