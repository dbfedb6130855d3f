"""The School page: the commission scores the coded applications in the browser (no names, no contacts:
:func:`automation.programmes.school.codes.coded_view`); the admin (the secretariat) codes the applications,
follows each member's progress, checks the scores and sees the ranking (:mod:`automation.programmes.school.console_scores`),
downloads the scores as CSV for ``school finalize``, and sees the final ranking once recorded.

The per-member workbooks (``school sheets`` / ``school collect``) remain the alternative.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from typing import Any

from flask import Response, redirect, request, url_for

from automation.errors import AutomationError
from automation.programmes.school.codes import assign_codes, code_key, coded_view
from automation.programmes.school.console_scores import console_ranking, save_scores, write_console_scores
from automation.programmes.school.criteria import CRITERIA, SCALE
from automation.web.admin.auth import current_user, requires
from automation.web.admin.common import TEXTS, bp, lang, now, ok, problem, render, store


def _members() -> list[str]:
    return [u.email for u in store().console.users() if u.role == "commission"]


def _apps() -> list[Any]:
    s = store()
    return assign_codes(s) if s.school.codes() else []  # gives codes to new applications once coding started


@bp.get("/school")
@requires("admin", "commission")
def school() -> Any:
    """The coded applications with the scoring progress; for the admin, the check and the ranking."""
    s = store()
    user = current_user()
    assert user is not None
    apps = _apps()
    scores = s.school.console_scores()
    mine = Counter(code for code, member, _c, _s in scores if member == user.email)
    per_member = Counter(member for _code, member, _c, _s in scores)
    check = console_ranking(s, _members()) if user.role == "admin" and apps else None
    ranking = _records(s.school.results()) if user.role == "admin" and s.school.is_final() else []
    uncoded = sum(1 for f in s.forms.all() if f.kind == "school_application") if not apps else 0
    return render("school.html", page="school", apps=apps, mine=mine, n_criteria=len(CRITERIA), members=_members(),
                  per_member=per_member, check=check, ranking=ranking, uncoded=uncoded)


def _records(table: Any) -> list[dict[str, Any]]:
    """The final ranking's rows as dicts, a missing value (pandas NA/NaN) as None (the page shows "—")."""
    import pandas as pd

    return [{k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in r.items()}
            for r in table.to_dict("records")]


@bp.post("/school/codes")
@requires("admin")
def school_codes() -> Any:
    """Code the applications (as ``school codes``): new ones get the next codes, given codes never change."""
    s = store()
    user = current_user()
    assert user is not None
    apps = assign_codes(s, now())
    s.console.audit(user.email, "school.codes", "", f"{len(apps)} coded applications", now())
    ok("coded_ok", n=len(apps))
    return redirect(url_for("admin.school"), code=303)


@bp.route("/school/a/<code>", methods=["GET", "POST"])
@requires("admin", "commission")
def school_app(code: str) -> Any:
    """One coded application; a commission member scores it (1–5 on each criterion)."""
    user = current_user()
    assert user is not None
    apps = _apps()
    app = next((a for a in apps if a.code == code), None)
    if app is None:
        return render("message.html", status=404, title=TEXTS[lang()]["not_found_title"], text=TEXTS[lang()]["not_found"])
    s = store()
    status = 200
    typed = {c.number: str(sc) for cd, m, c_n, sc in s.school.console_scores() if cd == code and m == user.email
             for c in CRITERIA if c.number == c_n}
    if request.method == "POST":
        if user.role != "commission":
            return render("message.html", status=403, title=TEXTS[lang()]["forbidden_title"],
                          text=TEXTS[lang()]["forbidden"])
        typed = {c.number: request.form.get(f"c{c.number}", "")[:10] for c in CRITERIA}
        try:
            n = save_scores(s, code, user.email, typed, now())
            s.console.audit(user.email, "school.score", code, f"{n} score(s)", now())
            ok("scores_saved", code=code, n=n)
            done = {cd for cd, m, _c, _s in s.school.console_scores() if m == user.email}
            following = [a.code for a in sorted(apps, key=lambda a: code_key(a.code)) if a.code not in done]
            return redirect(url_for("admin.school_app", code=following[0]) if following else url_for("admin.school"),
                            code=303)
        except AutomationError as e:
            problem(str(e))
            status = 422
    view = coded_view(app, lang())
    questions = {q.id: q.title.get(lang()) for q in app.spec.questions}
    return render("school_app.html", status=status, page="school", view=view, questions=questions, code=code,
                  criteria=CRITERIA, scale=range(SCALE[0], SCALE[1] + 1), typed=typed,
                  can_score=user.role == "commission")


@bp.get("/school/scores.csv")
@requires("admin")
def school_scores_csv() -> Any:
    """The console's scores as ``code,member,criterion,score`` (for ``python main.py school finalize``)."""
    fd, tmp = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    try:
        write_console_scores(store(), tmp)
        with open(tmp, "rb") as fh:
            data = fh.read()
    finally:
        os.unlink(tmp)
    return Response(data, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=school_scores.csv"})
