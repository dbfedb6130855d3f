"""The School page (admin and commission): the coded applications as the commission sees them (no names, no
contacts: :func:`automation.programmes.school.codes.coded_view`), and, for the admin, the final ranking once
``school finalize`` recorded it.

Scoring happens as before in the per-member workbooks (``school sheets`` → ``school collect``); scoring in the
browser is not built yet (docs/ADMIN.md).
"""

from __future__ import annotations

from typing import Any

from automation.programmes.school.codes import applications_to_check, coded_view
from automation.web.admin.auth import current_user, requires
from automation.web.admin.common import bp, lang, render, store


@bp.get("/school")
@requires("admin", "commission")
def school() -> Any:
    """The coded applications (codes are given as ``school codes`` gives them) and the final ranking (admin)."""
    s = store()
    apps = applications_to_check(s, ["A-001"]) if s.school.codes() else []
    views = [coded_view(a, lang()) for a in apps]
    questions = {}
    for a in apps[:1]:
        questions = {q.id: q.title.get(lang()) for q in a.spec.questions}
    user = current_user()
    ranking = []
    if user is not None and user.role == "admin" and s.school.is_final():
        ranking = s.school.results().to_dict("records")
    return render("school.html", page="school", views=views, questions=questions, ranking=ranking)
