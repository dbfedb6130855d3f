"""The ``school`` commands (``python main.py school ...``): parse, call :mod:`automation.programmes.school`,
print.  Scores problems go to stderr with exit code 2 and nothing is ranked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from automation.cli.common import context_from, now_from
from automation.cli.common import service_from
from automation.errors import AutomationError
from automation.model import BISHKEK
from automation.programmes.school.codes import Application, applications_to_check, assign_codes
from automation.programmes.school.commission import Commission, load_commission
from automation.programmes.school.criteria import GROUP_OLDER, GROUP_YOUNG
from automation.programmes.school.mail import mail_results
from automation.programmes.school.scores import Problem, ScoresRead, check_scores, hand_code_note, write_scores_csv
from automation.programmes.school.scoring import alpha_verdict, score_applications
from automation.programmes.school.selection import accept, final_results, finalize, revealed, select
from automation.programmes.school.sheets import read_scores, write_scoring_sheets
from automation.store import Store


def _store_if_exists(args: Any) -> Store | None:
    service = service_from(args)
    return service.store if service.config.state.exists() else None


def _store(args: Any) -> Store:
    return service_from(args).existing_store(
        "the applications arrive through the plan's school_application form (`run`), or give --config of the "
        "School's service")


def commission_from_args(args: Any) -> Commission:
    """The commission from ``--commission FILE`` and/or ``--members "A,B,C"`` (members given on the command
    line win); ``--flag-top``/``--flag-spread`` override the file's settings."""
    com = load_commission(args.commission) if getattr(args, "commission", None) else Commission([])
    if getattr(args, "members", None):
        com.members = [m.strip() for m in args.members.split(",") if m.strip()]
    if getattr(args, "flag_top", None) is not None:
        com.flag_top = args.flag_top
    if getattr(args, "flag_spread", None) is not None:
        com.flag_spread = args.flag_spread
    return com


def _print_problems(read: ScoresRead, problems: list[Problem]) -> int:
    print(f"{read.source}: {len(problems)} problem(s); nothing was ranked:", file=sys.stderr)
    for p in problems:
        print(f"  - {p}", file=sys.stderr)
    return 2


def _checked(args: Any, store: Store | None, com: Commission) -> tuple[ScoresRead, list[Problem], list[Application]]:
    read = read_scores(args.scores)
    apps = applications_to_check(store, [r.code for r in read.rows])
    known = [a.code for a in apps] if apps else None
    problems = check_scores(read, known, com.members or None, args.expect_members)
    note = hand_code_note(read.rows) if known is None and not problems else None
    if note:
        print(f"Note: {note}.", file=sys.stderr)
    return read, problems, apps


def cli_score(args: Any) -> int:
    """``school score SCORES.csv [more.csv | member.xlsx ...] [--json]``: the ranking, or every problem (exit 2)."""
    com = commission_from_args(args)
    store = _store_if_exists(args)
    read, problems, apps = _checked(args, store, com)
    if problems:
        return _print_problems(read, problems)
    sc = score_applications(read.rows, com.flag_top, com.flag_spread, com.members or None)
    if args.json:
        print(json.dumps(sc.to_json(), ensure_ascii=False, indent=1))
        return 0
    by_code = {a.code: a for a in apps}
    print(f"Ranking of {len(sc.ranking)} application(s) scored by {len(sc.members)} member(s): "
          f"{', '.join(sc.members)}")
    print(f"{'rank':>4}  {'code':7} {'total':>6}  {'spread':>6}  {'age':>5}  flagged")
    for r in sc.ranking.itertuples():
        g = by_code[r.code].age_group(com.school_start) if r.code in by_code else ""
        print(f"{r.rank:>4}  {r.code:7} {r.total:6.2f}  {r.spread:6.2f}  {g:>5}  {'discuss' if r.flagged else ''}")
    print("Total = Σ weight × members' mean score ÷ 5 (all fives = 100). Spread = max − min of the members' "
          "own totals (points of 100).")
    print(f"Krippendorff's alpha (ordinal, 1–5 scores): {sc.alpha:.3f} — {alpha_verdict(sc.alpha)}; "
          f"on the members' totals (interval): {sc.alpha_totals:.3f}")
    rule = f"top {com.flag_top} spreads" + (f" or spread ≥ {com.flag_spread:g}" if com.flag_spread is not None else "")
    flagged = sc.ranking.loc[sc.ranking["flagged"], "code"].tolist()
    print(f"To discuss ({rule}): {', '.join(flagged) or 'none'}")
    if apps:
        sel = select(sc.ranking, apps, com.targets, com.school_start)
        print(f"Selection preview (codes only): {sel.counts()[GROUP_OLDER]} aged 28+, {sel.counts()[GROUP_YOUNG]} "
              f"under 28.")
        for w in sel.warnings:
            print(f"  ! {w}")
        print("Make it final with `school finalize` (names are revealed only then).")
    return 0


def cli_finalize(args: Any) -> int:
    """``school finalize SCORES...``: check, rank, select and record the ranking as final."""
    com = commission_from_args(args)
    store = _store(args)
    read, problems, apps = _checked(args, store, com)
    if not apps:
        raise AutomationError("no School applications coded by the service in the state file: `school finalize` "
                              "selects among the applications the service received and coded (see `school codes`); "
                              "scores of applications coded by hand can be ranked with `school score`")
    if problems:
        return _print_problems(read, problems)
    sc = score_applications(read.rows, com.flag_top, com.flag_spread, com.members or None)
    sel = select(sc.ranking, apps, com.targets, com.school_start)
    finalize(store, sel, read.digest, force=args.force)
    c = sel.counts()
    print(f"The ranking is final: {c[GROUP_OLDER]} selected aged 28+, {c[GROUP_YOUNG]} under 28, "
          f"{int((sel.table['status'] == 'reserve').sum())} on the reserve list.")
    for w in sel.warnings:
        print(f"  ! {w}")
    print("See the names with `school selected --names`; add them to the roster with `school accept`.")
    return 0


def cli_selected(args: Any) -> int:
    """``school selected [--names] [--json]``: the final list (codes; names and contacts with --names)."""
    store = _store(args)
    df = revealed(store, ("selected", "reserve")) if args.names else final_results(store)
    if not args.names:
        df = df[df["status"].isin(["selected", "reserve"])]
    cols = ["code", "rank", "total", "age", "age_group", "status"] + (["name", "email", "phone"] if args.names else [])
    if args.json:
        print(df[cols].to_json(orient="records", force_ascii=False, indent=1))
        return 0
    for r in df[cols].itertuples(index=False):
        print("  ".join("" if v is None or (isinstance(v, float) and v != v) else str(v) for v in r))
    print(f"{int((df['status'] == 'selected').sum())} selected, {int((df['status'] == 'reserve').sum())} reserve")
    return 0


def cli_accept(args: Any) -> int:
    """``school accept``: the selected applicants join the roster (source 'school')."""
    store = _store(args)
    acc = accept(store, language=args.language)
    print(f"Roster: {acc.added} added, {acc.updated} updated from the School's selected list (source 'school').")
    for s in acc.skipped:
        print(f"  - {s}", file=sys.stderr)
    return 0


def cli_codes(args: Any) -> int:
    """``school codes``: give the applications their codes and list them (no names)."""
    store = _store(args)
    apps = assign_codes(store)
    rows = [{"code": a.code, "submitted": a.submitted_at.astimezone(BISHKEK).strftime("%Y-%m-%d %H:%M"),
             "age": a.age(), "age_group": a.age_group()} for a in apps]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        print(f"{r['code']:7} {r['submitted']}  age {r['age'] if r['age'] is not None else '?':>3}  {r['age_group']}")
    print(f"{len(rows)} application(s)")
    return 0


def cli_sheets(args: Any) -> int:
    """``school sheets --out DIR``: one scoring workbook per member with the coded applications."""
    com = commission_from_args(args)
    if not com.members:
        raise AutomationError("name the commission: --members \"A,B,C\" or --commission commission.yaml")
    store = _store(args)
    apps = assign_codes(store)
    if not apps:
        raise AutomationError("no School applications in the state file")
    for p in write_scoring_sheets(apps, com.members, args.out, com.school_start):
        print(p)
    print(f"{len(apps)} coded application(s) in {len(com.members)} sheet(s). When they come back filled: "
          f"`school score {Path(args.out) / 'scoring_*.xlsx'}`")
    return 0


def cli_collect(args: Any) -> int:
    """``school collect SHEET.xlsx... --out scores.csv``: the filled sheets as one scores CSV."""
    com = commission_from_args(args)
    store = _store_if_exists(args)
    read, problems, _ = _checked(args, store, com)
    if problems:
        return _print_problems(read, problems)
    print(write_scores_csv(read.rows, args.out))
    return 0


def cli_notify(args: Any) -> int:
    """``school notify``: mail every applicant her result (exactly once)."""
    ctx = context_from(args, quiet=True)
    print(mail_results(ctx, now_from(args)).detail)
    return 0
