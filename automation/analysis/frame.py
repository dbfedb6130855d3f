"""The tidy frame of answers, built the same way whatever backend the responses came from.

:func:`answers_frame` returns one row per response x question (x grid row),
with these columns:

================  ====================  =============================================
column            dtype                 meaning
================  ====================  =============================================
response_id       string                the backend's response id
form_key          string                the plan's form key (``event.template[.pre]``)
template_id       string                template the form was made from
form_kind         string                needs_assessment, post_test, ...
event_id          string                plan event or survey id
pre_test          bool                  the form is the pre-test of its event
participant_id    string (NA)           roster id; NA for anonymous responses
oblast            string                roster oblast code ("" if unknown)
role              string                roster role ("" if unknown)
language          string                roster language ("" if unknown)
submitted_at      datetime64[ns, UTC]   when the response was (last) submitted
question_id       string                template question id
question_kind     string                see automation.model.QUESTION_KINDS
row_id            string                grid row id; "" for other kinds
value             object                the answer (automation.forms.answers); NA if unanswered
points            float64               points earned on a graded question; NaN otherwise
================  ====================  =============================================

Contacts (e-mail, phone, name) are deliberately not columns: the frame feeds
charts and reports (DESIGN.md "Do no harm").

:func:`scores_frame` sums quiz points per response; :func:`form_specs` gives the
spec of each form; :func:`fill_groups_from_answers` takes an anonymous
respondent's oblast and role from her own answers to the form's ``oblast`` /
``role`` questions.
"""

from __future__ import annotations


import pandas as pd

from automation.forms.answers import grade
from automation.model import FormSpec
from automation.store import Store

COLUMNS = ["response_id", "form_key", "template_id", "form_kind", "event_id", "pre_test", "participant_id", "oblast",
           "role", "language", "submitted_at", "question_id", "question_kind", "row_id", "value", "points"]


def answers_frame(store: Store, form_keys: list[str] | None = None) -> pd.DataFrame:
    """Build the tidy frame for the given forms (all forms when None).  See the module docstring."""
    roster = {p.id: p for p in store.roster.participants(active_only=False)}
    records: list[tuple] = []
    for f in store.forms.all():
        if form_keys is not None and f.form_key not in form_keys:
            continue
        spec = f.spec()
        for r in store.responses.list(f.form_key):
            ans = r.answers
            p = roster.get(r.participant_id) if r.participant_id else None
            head = (r.response_id, f.form_key, f.template_id, f.kind, f.event_id, f.pre_test,
                    r.participant_id, p.oblast if p else "", p.role if p else "", p.language if p else "",
                    r.submitted_at)
            for q in spec.questions:
                v = ans.get(q.id)
                if q.kind == "grid":
                    for row in q.rows:
                        cell = v.get(row.id) if isinstance(v, dict) else None
                        records.append(head + (q.id, q.kind, row.id, cell, float("nan")))
                else:
                    pts = grade(q, v)
                    records.append(head + (q.id, q.kind, "", v, float("nan") if pts is None else pts))
    df = pd.DataFrame.from_records(records, columns=COLUMNS)
    for c in ("response_id", "form_key", "template_id", "form_kind", "event_id", "participant_id", "oblast", "role",
              "language", "question_id", "question_kind", "row_id"):
        df[c] = df[c].astype("string")
    df["pre_test"] = df["pre_test"].astype(bool)
    df["submitted_at"] = pd.to_datetime(df["submitted_at"], utc=True)
    df["points"] = df["points"].astype("float64")
    df["value"] = df["value"].astype(object).where(df["value"].notna(), None)
    return df


def scores_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Quiz score per response: columns response_id, form_key, event_id, pre_test, participant_id,
    oblast, role, score (float64, points earned; the form's maximum is ``FormSpec.max_score``)."""
    graded = frame[frame["points"].notna()]
    if graded.empty:
        return pd.DataFrame(columns=["response_id", "form_key", "event_id", "pre_test", "participant_id", "oblast",
                                     "role", "score"])
    keys = ["response_id", "form_key", "event_id", "pre_test", "participant_id", "oblast", "role"]
    out = graded.groupby(keys, dropna=False, observed=True)["points"].sum().rename("score").reset_index()
    return out


def form_specs(store: Store, form_keys: list[str] | None = None) -> dict[str, FormSpec]:
    """``{form_key: FormSpec}`` of the forms in the store (the spec each form was made from)."""
    return {f.form_key: f.spec() for f in store.forms.all()
            if form_keys is None or f.form_key in form_keys}


#: Question ids by which a form asks for the respondent's group itself (the needs assessment
#: asks ``oblast`` and ``role``); option ids use ``_`` where roster codes use ``-``.
GROUP_QUESTIONS = {"oblast": "oblast", "role": "role"}


def fill_groups_from_answers(frame: pd.DataFrame) -> pd.DataFrame:
    """Fill an empty ``oblast`` / ``role`` from the response's own answer to a question of that id.

    An anonymous response (public link, or an e-mail not in the roster) has no
    roster oblast; a needs assessment asks for it (question ``oblast``, option ids
    such as ``jalal_abad`` for the roster's ``jalal-abad``).  The roster wins when
    both are known.  Returns a new frame with the same columns and dtypes.
    """
    if frame.empty:
        return frame.copy()
    out = frame.copy()
    for col, qid in GROUP_QUESTIONS.items():
        ans = out[(out["question_id"] == qid) & out["value"].map(lambda v: isinstance(v, str) and v != "")]
        if ans.empty:
            continue
        declared = {(fk, rid): str(v).replace("_", "-") for fk, rid, v in
                    zip(ans["form_key"], ans["response_id"], ans["value"])}
        keys = list(zip(out["form_key"], out["response_id"]))
        current = out[col].fillna("").astype(str)
        filled = [c if c else declared.get(k, "") for c, k in zip(current, keys)]
        out[col] = pd.array(filled, dtype="string")
    return out
