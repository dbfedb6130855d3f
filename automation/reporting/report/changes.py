"""What changed since the last report of the same scope and language.

:func:`snapshot` keeps what the next build compares with in
``out_dir/.last-report.<scope>.<lang>.json`` (:func:`snapshot_path`); :func:`diff_snapshots`
compares two of them.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from automation.analysis import summary
from automation.model import FormSpec, iso, parse_iso
from automation.reporting.charts.chart import slug
from automation.reporting.report.text import fmt_num, fmt_pct, ui


def snapshot(forms: list[Any], frame: pd.DataFrame, specs: dict[str, FormSpec], lang: str, now: datetime,
             min_group_size: int, gain_overall: dict[str, Any] | None) -> dict[str, Any]:
    """What the next report compares with: responses per form, Likert item means, quiz mean score.

    Means of fewer than ``min_group_size`` answers are not kept (they would be
    one or two women's answers).
    """
    out: dict[str, Any] = {"generated": iso(now), "forms": {}}
    for f in forms:
        key = f.form_key
        spec = specs[key]
        rows = frame[frame["form_key"] == key]
        n = int(rows["response_id"].nunique()) if len(rows) else 0
        means = {}
        for q in spec.questions:
            if q.kind != "scale":
                continue
            vals = [float(v) for v in rows.loc[rows["question_id"] == q.id, "value"] if summary.is_answered(v)]
            if len(vals) >= min_group_size:
                means[q.id] = {"title": q.title.get(lang), "mean": sum(vals) / len(vals), "n": len(vals)}
        score = None
        if spec.max_score > 0 and n:
            s = summary.score_summary(spec, rows)
            if s["n"] >= min_group_size:
                score = s["mean"]
        out["forms"][key] = {"title": spec.title.get(lang) + (f" ({ui('pre_short', lang)})" if f.pre_test else ""),
                             "responses": n, "means": means, "score": score}
    return out


def diff_snapshots(prev: dict[str, Any] | None, cur: dict[str, Any], lang: str,
                   min_group_size: int) -> dict[str, Any]:
    """Rows of "what changed since the last report": new forms, new responses, changed means.

    A mean is compared only when at least ``min_group_size`` responses came in
    since the last report: with one new response the change of a mean would
    give away her answer (DESIGN.md principle 8).
    """
    if prev is None:
        return {"first": True, "since": None, "rows": [], "held_back": False}
    rows, held_back = [], False
    for key, f in cur["forms"].items():
        old = prev.get("forms", {}).get(key)
        if old is None:
            if f["responses"]:
                rows.append({"title": f["title"], "what": ui("change_new_form", lang, n=f["responses"]), "means": []})
            continue
        d = f["responses"] - old["responses"]
        if d <= 0:
            continue
        means = []
        if d >= min_group_size:
            for qid, m in f["means"].items():
                o = old["means"].get(qid)
                if o is not None and abs(m["mean"] - o["mean"]) >= 0.05:
                    means.append(f"{m['title']}: {fmt_num(o['mean'], 1)} → {fmt_num(m['mean'], 1)}")
            if f["score"] is not None and old.get("score") is not None and abs(f["score"] - old["score"]) >= 0.005:
                means.append(f"{ui('mean_score', lang)}: {fmt_pct(old['score'])} → {fmt_pct(f['score'])}")
        elif f["means"] or f["score"] is not None:
            held_back = True
        rows.append({"title": f["title"], "what": ui("change_responses", lang, d=d, a=old["responses"],
                                                     b=f["responses"]), "means": means})
    return {"first": False, "since": parse_iso(prev["generated"]), "rows": rows, "held_back": held_back}


def snapshot_path(out: Path, event_id: str | None, lang: str) -> Path:
    """Where the snapshot of a report is kept: ``out/.last-report.<season|event id>.<lang>.json``."""
    return out / f".last-report.{slug(event_id) if event_id else 'season'}.{lang}.json"
