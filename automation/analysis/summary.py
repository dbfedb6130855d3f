"""Summaries of one form's answers, shared by the charts and the mentor's report.

Pure functions over the tidy frame of :func:`automation.analysis.frame.answers_frame`
(pass the rows of *one* form, or of several forms made from the same template
to pool them).  Nothing here reads the store or draws.

Conventions
-----------
- Labels (question titles, option labels, oblast names) come out in the report
  language ``lang`` (``ru`` or ``ky``).
- An answer counts as given when it is not None/NaN, ``""``, ``[]`` or ``{}``
  (the rule of :func:`automation.forms.answers.check_answer`).
- **Small-cell suppression** (DESIGN.md principle 8, "Do no harm"; issue 4): in
  every breakdown by a group (oblast, role, ...) a group with fewer than
  ``min_group_size`` members (default 3) gets ``suppressed=True`` and its numbers
  are *removed* (NA) here already, so no caller can leak them by accident.  Show
  such a group with :func:`suppressed_label` ("менее 3" / "3төн аз").
- Contacts never leave this module: :func:`open_texts` returns nothing for
  personal-data questions (name, phone, e-mail, ...) and masks e-mail addresses
  and phone numbers typed into any other text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

from automation.model import CHOICE_KINDS, OBLASTS, ROLES, FormSpec, I18n, Question
from automation.analysis.frame import scores_frame
from automation.analysis.suppression import TOTAL, protect

#: The label under which "other" free-text answers of a choice question are counted.
OTHER = I18n(ky="Башка", ru="Другое")
#: The label of a group whose oblast (role, ...) is not known (anonymous responses).
UNKNOWN_GROUP = I18n(ky="Көрсөтүлгөн эмес", ru="Не указана")
#: Question kinds that get answer counts (and charts).
COUNTED_KINDS = (*CHOICE_KINDS, "scale", "grid")
#: Question kinds whose answers are free text.
TEXT_KINDS = ("short_text", "long_text")
#: Default minimum group size for breakdowns (DESIGN.md principle 8).
MIN_GROUP_SIZE = 3

# Kyrgyz ablative suffix after a number written in digits ("3төн аз" = "fewer than 3");
# it follows the sound of the number's last word: бир, эки, үч, төрт, беш, алты, жети, сегиз, тогуз, он.
_KY_ABLATIVE = {1: "ден", 2: "ден", 3: "төн", 4: "төн", 5: "тен", 6: "дан", 7: "ден", 8: "ден", 9: "дан", 10: "дон"}


def suppressed_label(min_group_size: int = MIN_GROUP_SIZE, lang: str = "ru") -> str:
    """How a suppressed group is shown: ``"менее 3"`` (ru) / ``"3төн аз"`` (ky)."""
    if lang == "ky":
        suffix = _KY_ABLATIVE.get(min_group_size)
        return f"{min_group_size}{suffix} аз" if suffix else f"{min_group_size} адамдан аз"
    return f"менее {min_group_size}"


def group_label(by: str, code: str | None, lang: str = "ru") -> str:
    """Display name of a group code: an oblast (``OBLASTS``) or a role (``ROLES``); unknown → "Не указана"."""
    table = {"oblast": OBLASTS, "role": ROLES}.get(by, {})
    if not code or (isinstance(code, float) and math.isnan(code)) or code is pd.NA:
        return UNKNOWN_GROUP.get(lang)
    return table.get(code, {}).get(lang, str(code))


def is_answered(v: Any) -> bool:
    """True when ``v`` is a given answer (not None/NaN/NA, ``""``, ``[]``, ``{}``)."""
    if v is None or v is pd.NA:
        return False
    if isinstance(v, float) and math.isnan(v):
        return False
    if isinstance(v, str):
        return v.strip() != ""
    if isinstance(v, (list, tuple, dict)):
        return len(v) > 0
    return True


def _rows(frame: pd.DataFrame, question_id: str) -> pd.DataFrame:
    return frame[frame["question_id"] == question_id]


def _n_responses(frame: pd.DataFrame) -> int:
    # response ids are unique within a form; several forms may be pooled
    return int(len(frame.drop_duplicates(["form_key", "response_id"]))) if len(frame) else 0


# --- answer counts ------------------------------------------------------------------


def count_question(q: Question, frame: pd.DataFrame, lang: str = "ru", *, rows: pd.DataFrame | None = None,
                   responses: int | None = None) -> dict[str, Any]:
    """Counts of one question's answers.

    Returns ``{"question_id", "title", "kind", "answered", "counts", "responses"}``:

    - ``answered``: responses that answered the question (grid: at least one row);
    - ``counts``: ``{label: n}`` in option order, zero counts included —
      single choice / dropdown: one per response, "other" texts under
      :data:`OTHER`; multiple choice: one per chosen option, so the sum may
      exceed ``answered`` (shares are of ``answered``); scale: keys ``"low"``..
      ``"high"`` as strings; grid: keys ``"Row: Column"``; text and date
      questions: ``{}``;
    - grid questions also carry ``"rows": {row label: {column label: n}}`` and
      ``"columns": [column labels]``;
    - ``responses``: responses in ``frame`` (the denominator of the form).

    ``rows`` (the question's rows of ``frame``) and ``responses`` may be passed when the caller
    has them (:func:`question_counts` does, once for every question).
    """
    rows = _rows(frame, q.id) if rows is None else rows
    out: dict[str, Any] = {"question_id": q.id, "title": q.title.get(lang), "kind": q.kind,
                           "answered": 0, "counts": {},
                           "responses": _n_responses(frame) if responses is None else responses}
    ids = {o.id: o.label.get(lang) for o in q.options}
    other = OTHER.get(lang)
    if q.kind == "grid":
        given = rows[rows["value"].map(is_answered).astype(bool)]
        out["answered"] = _n_responses(given)
        cols = [o.label.get(lang) for o in q.options]
        nested: dict[str, dict[str, int]] = {}
        for r in q.rows:
            cells = given[given["row_id"] == r.id]["value"]
            row_counts = {c: 0 for c in cols}
            for v in cells:
                lab = ids.get(str(v))
                if lab is not None:
                    row_counts[lab] += 1
            nested[r.label.get(lang)] = row_counts
        out["rows"] = nested
        out["columns"] = cols
        out["counts"] = {f"{r}: {c}": n for r, rc in nested.items() for c, n in rc.items()}
        return out
    values = [v for v in rows["value"] if is_answered(v)]
    out["answered"] = len(values)
    if q.kind in CHOICE_KINDS:
        counts = {lab: 0 for lab in ids.values()}
        has_other = False
        for v in values:
            for item in (v if isinstance(v, (list, tuple)) else [v]):
                if not is_answered(item):
                    continue
                lab = ids.get(str(item))
                if lab is None:
                    has_other = True
                    counts[other] = counts.get(other, 0) + 1
                else:
                    counts[lab] += 1
        if q.other and not has_other:
            counts[other] = 0
        out["counts"] = counts
    elif q.kind == "scale":
        assert q.scale is not None
        counts = {str(k): 0 for k in range(q.scale.low, q.scale.high + 1)}
        for v in values:
            try:
                key = str(int(round(float(v))))
            except (TypeError, ValueError):
                continue
            if key in counts:
                counts[key] += 1
        out["counts"] = counts
    return out


def question_counts(spec: FormSpec, frame: pd.DataFrame, lang: str = "ru") -> list[dict[str, Any]]:
    """:func:`count_question` for every question of ``spec``, in form order.

    Text and date questions are included with empty ``counts`` (their
    ``answered`` is still useful); personal-data questions (see
    :func:`is_personal`) are included with their ``answered`` only.
    """
    n = _n_responses(frame)
    parts = dict(tuple(frame.groupby("question_id", sort=False))) if len(frame) else {}
    empty = frame.iloc[:0]
    return [count_question(q, frame, lang, rows=parts.get(q.id, empty), responses=n) for q in spec.questions]


# --- quiz scores --------------------------------------------------------------------


def score_shares(spec: FormSpec, frame: pd.DataFrame) -> pd.Series:
    """Score of each response as a share of ``spec.max_score``: float64 in 0..1 named ``share``,
    indexed by (``form_key``, ``response_id``), in frame order.

    Empty when the form is not graded (``max_score == 0``) or has no responses.
    """
    empty = pd.Series([], dtype="float64", name="share",
                      index=pd.MultiIndex.from_arrays([[], []], names=["form_key", "response_id"]))
    if spec.max_score <= 0 or frame.empty:
        return empty
    s = scores_frame(frame)
    if s.empty:
        return empty
    idx = pd.MultiIndex.from_frame(s[["form_key", "response_id"]])
    return pd.Series(s["score"].to_numpy(dtype="float64") / spec.max_score, index=idx, name="share")


def score_summary(spec: FormSpec, frame: pd.DataFrame) -> dict[str, Any]:
    """``{"n", "max_score", "mean", "median", "min", "max"}`` of the quiz scores.

    ``mean`` .. ``max`` are shares of ``max_score`` (floats in 0..1), None when
    there are no scored responses.
    """
    sh = score_shares(spec, frame)
    out: dict[str, Any] = {"n": int(len(sh)), "max_score": spec.max_score}
    for k, f in (("mean", "mean"), ("median", "median"), ("min", "min"), ("max", "max")):
        out[k] = float(getattr(sh, f)()) if len(sh) else None
    return out


# --- breakdowns with small-cell suppression -----------------------------------------


def group_summary(frame: pd.DataFrame, by: str = "oblast", min_group_size: int = MIN_GROUP_SIZE,
                  spec: FormSpec | None = None) -> pd.DataFrame:
    """Respondents (and the mean quiz score) per group, with small-cell suppression.

    ``by`` is a frame column (``oblast``, ``role``, ``language``).  Returns one row
    per group present in ``frame``, ordered as in ``OBLASTS``/``ROLES`` with the
    unknown group ("") last, with columns:

    ====================  ========  ===============================================
    group                 string    the group code ("" when unknown; display with :func:`group_label`)
    respondents           Int64     distinct responses; NA when suppressed
    mean_score            float64   mean score share (0..1) when ``spec`` is a graded
                                    form; NaN when suppressed or not graded
    suppressed            bool      fewer than ``min_group_size`` respondents, or hidden
                                    with it so that the total cannot give it away
                                    (:func:`automation.analysis.suppression.protect`)
    ====================  ========  ===============================================
    """
    cols = ["group", "respondents", "mean_score", "suppressed"]
    if frame.empty:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in
                             zip(cols, ("string", "Int64", "float64", "bool"))})
    resp = frame.drop_duplicates(["form_key", "response_id"])[["form_key", "response_id", by]].copy()
    resp[by] = resp[by].fillna("").astype(str)
    n = resp.groupby(by).size()
    shares = score_shares(spec, frame) if spec is not None else pd.Series([], dtype="float64")
    means = (resp.set_index(["form_key", "response_id"]).join(shares, how="inner").groupby(by)["share"].mean()
             if len(shares) else pd.Series([], dtype="float64"))
    order = list({"oblast": OBLASTS, "role": ROLES}.get(by, {}))
    groups = sorted(n.index, key=lambda g: (g == "", order.index(g) if g in order else len(order), g))
    hide = protect({g: int(n[g]) for g in groups}, min_group_size)
    rows = []
    for g in groups:
        small = g in hide
        rows.append({"group": g, "respondents": pd.NA if small else int(n[g]),
                     "mean_score": float("nan") if small or g not in means.index else float(means[g]),
                     "suppressed": small})
    out = pd.DataFrame(rows, columns=cols)
    return out.astype({"group": "string", "respondents": "Int64", "mean_score": "float64", "suppressed": "bool"})


def oblast_groups(frame: pd.DataFrame, min_group_size: int = MIN_GROUP_SIZE,
                  spec: FormSpec | None = None) -> pd.DataFrame:
    """:func:`group_summary` by oblast."""
    return group_summary(frame, "oblast", min_group_size, spec)


# --- response rate and non-respondents ----------------------------------------------


def response_rate(frame: pd.DataFrame, invited: Collection[str] | None) -> dict[str, Any]:
    """Responses and response rate of one form.

    ``invited``: participant ids the form was sent to (its personal links, or
    the active roster when it has none); None for an anonymous public form,
    which has no rate.  Returns ``{"responses": distinct responses,
    "invited": len(invited) or None, "responded": invited participants who
    answered, "rate": responded / invited (0..1) or None}``.
    """
    responses = _n_responses(frame)
    if invited is None:
        return {"responses": responses, "invited": None, "responded": None, "rate": None}
    inv = set(invited)
    who = set(frame["participant_id"].dropna().astype(str)) if len(frame) else set()
    responded = len(inv & who)
    return {"responses": responses, "invited": len(inv), "responded": responded,
            "rate": responded / len(inv) if inv else None}


def non_respondents_by_oblast(invited: Mapping[str, str], frame: pd.DataFrame,
                              min_group_size: int = MIN_GROUP_SIZE) -> pd.DataFrame:
    """Counts (never names) of invited participants who have not answered, per oblast.

    ``invited`` maps participant id → oblast code.  Columns: ``group`` (string),
    ``non_respondents`` (Int64, NA when suppressed), ``suppressed`` (bool: fewer
    than ``min_group_size`` in the group, or hidden with such a group so that the total of
    non-respondents cannot give it away: :func:`automation.analysis.suppression.protect`).
    Groups with no non-respondents are left out.  ``attrs["total_hidden"]``: the total of
    non-respondents must not be shown either (it would be the one hidden group's count).
    """
    who = set(frame["participant_id"].dropna().astype(str)) if len(frame) else set()
    missing: dict[str, int] = {}
    for pid, ob in invited.items():
        if pid not in who:
            missing[ob or ""] = missing.get(ob or "", 0) + 1
    order = list(OBLASTS)
    hide = protect(missing, min_group_size)
    rows = [{"group": g, "non_respondents": pd.NA if g in hide else c, "suppressed": g in hide}
            for g, c in sorted(missing.items(), key=lambda kv: (kv[0] == "", order.index(kv[0])
                                                                 if kv[0] in order else len(order), kv[0]))]
    out = pd.DataFrame(rows, columns=["group", "non_respondents", "suppressed"])
    out = out.astype({"group": "string", "non_respondents": "Int64", "suppressed": "bool"})
    out.attrs["total_hidden"] = TOTAL in hide  # one small group: its count is the total
    return out


# --- open texts ---------------------------------------------------------------------

_PERSONAL_ID = re.compile(
    r"(^|_)(name|names|fio|surname|first_?name|last_?name|full_?name|phone|phones|tel|mobile|whatsapp|telegram|"
    r"email|e_mail|mail|contact|contacts|address|birth|birthday|birthdate|dob|passport|inn|pin)(_|$)")
_PERSONAL_TITLE = re.compile(
    r"телефон|e-?mail|электрон\w* почт|эл\.? ?почт|whats ?app|ватсап|телеграм|telegram|\bфио\b|фамили|\bимя\b|"
    r"аты-?жөн|\bатыңыз|туулган|дата рождения|адрес|дарег", re.IGNORECASE)
_EMAIL = re.compile(r"[^\s@<>()\[\],;:]+@[^\s@<>()\[\],;:]+\.[^\s@<>()\[\],;:]{2,}")
# +996 555 123 456, 0555-12-34-56, (0312) 62 12 34 ...: 9 or more digits with separators.
_PHONE = re.compile(r"(?<![\w])\+?\(?\d(?:[\s\-().]*\d){8,}(?![\w])")


def is_personal(q: Question) -> bool:
    """True for questions asking for personal data or contacts (name, phone, e-mail, address, birth date).

    Their answers are never listed in a report (DESIGN.md principle 8).
    """
    return bool(_PERSONAL_ID.search(q.id) or _PERSONAL_TITLE.search(q.title.ru) or _PERSONAL_TITLE.search(q.title.ky))


def mask_contacts(text: str, placeholder: str = "[…]") -> str:
    """Replace e-mail addresses and phone numbers in ``text`` by ``placeholder``."""
    return _PHONE.sub(placeholder, _EMAIL.sub(placeholder, text))


def open_texts(spec: FormSpec, frame: pd.DataFrame, question_id: str, placeholder: str = "[…]") -> list[str]:
    """The non-empty answers of a text question, in submission order, contacts masked.

    Returns ``[]`` for a personal-data question (:func:`is_personal`).  For a
    single or multiple choice question with an "other" option it returns the
    "other" texts.  Raises ``KeyError`` for an unknown question id.
    """
    q = spec.question(question_id)
    if is_personal(q):
        return []
    rows = _rows(frame, question_id)
    if "submitted_at" in rows.columns:
        rows = rows.sort_values(["submitted_at", "response_id"], kind="stable")
    out: list[str] = []
    if q.kind in TEXT_KINDS:
        items = [v for v in rows["value"] if is_answered(v)]
    elif q.kind in ("single_choice", "multiple_choice") and q.other:
        ids = {o.id for o in q.options}
        items = [x for v in rows["value"] if is_answered(v)
                 for x in (v if isinstance(v, (list, tuple)) else [v]) if is_answered(x) and str(x) not in ids]
    else:
        return []
    for v in items:
        t = mask_contacts(str(v).strip(), placeholder)
        if t:
            out.append(t)
    return out
