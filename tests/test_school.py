"""School of future deputies: codes, the commission's scores, totals, ranking, selection (automation/programmes/school/).

Every expected number is computed by hand in the comments (seed 002 weights
15/15/10/10/20/10/20; total = Σ weight × members' mean ÷ 5).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

import automation.demo.school as school_demo
import automation.programmes.school.codes as codes
import automation.programmes.school.mail as school_mail
import automation.programmes.school.scoring as scoring
import automation.programmes.school.selection as selection
import automation.programmes.school.sheets as sheets
from automation.cli.main import main
from automation.errors import AutomationError
from automation.model import to_utc
from automation.programmes.school.codes import Application, age_group, age_on, assign_codes
from automation.programmes.school.scores import ScoreRow, check_scores, read_scores_csv
from automation.programmes.school.scoring import score_applications
from automation.programmes.school.selection import Targets, select
from automation.store import Store
from automation.forms.templates import get_template

M = ["Азамат", "Чинара", "Роза"]
# A-001: members' scores per criterion 1..7
A001 = {"Азамат": [5, 4, 3, 5, 4, 3, 5], "Чинара": [4, 4, 3, 5, 5, 3, 4], "Роза": [5, 5, 3, 4, 4, 3, 5]}


def rows_for(code: str, per_member: dict[str, list[int]]) -> list[str]:
    return [f"{code},{m},{c},{s}" for m, scores in per_member.items() for c, s in enumerate(scores, start=1)]


def same(score: int) -> dict[str, list[int]]:
    return {m: [score] * 7 for m in M}


def write_csv(tmp_path: Path, lines: list[str], name: str = "scores.csv") -> Path:
    p = tmp_path / name
    p.write_text("code,member,criterion,score\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return p


@pytest.fixture
def good_csv(tmp_path: Path) -> Path:
    # A-001 as above; A-002 and A-003 all fours (a tie); A-004 all threes.
    return write_csv(tmp_path, rows_for("A-001", A001) + rows_for("A-002", same(4)) + rows_for("A-003", same(4))
                     + rows_for("A-004", same(3)))


# --- totals, ranking, agreement ------------------------------------------------------------


def test_weighted_total_by_hand(good_csv: Path) -> None:
    read = read_scores_csv(good_csv)
    assert read.problems == [] and check_scores(read) == []
    sc = score_applications(read.rows)
    r = sc.ranking.set_index("code")
    # means: c1 14/3, c2 13/3, c3 3, c4 14/3, c5 13/3, c6 3, c7 14/3
    # total = (15·14/3 + 15·13/3 + 10·3 + 10·14/3 + 20·13/3 + 10·3 + 20·14/3) / 5 = (1265/3) / 5 = 253/3 = 84.33
    assert r.loc["A-001", "total"] == 84.33
    assert r.loc["A-001", "c1"] == 4.67 and r.loc["A-001", "c3"] == 3.0
    # members' own totals: Азамат 425/5 = 85, Чинара 410/5 = 82, Роза 430/5 = 86 → spread 86 − 82 = 4
    assert sc.member_totals.loc["A-001"].tolist() == [85.0, 82.0, 86.0]
    assert r.loc["A-001", "spread"] == 4.0
    assert r.loc["A-001", "sd"] == pytest.approx(2.08, abs=0.01)  # stdev(85, 82, 86)
    # all fours: 4/5 of 100; all threes: 60; all fives would be 100, all ones 20
    assert r.loc["A-002", "total"] == 80.0 and r.loc["A-004", "total"] == 60.0
    assert float(scoring.weighted_total({c: 5 for c in range(1, 8)})) == 100.0
    assert float(scoring.weighted_total({c: 1 for c in range(1, 8)})) == 20.0


def test_tie_shares_rank_and_is_ordered_by_code(good_csv: Path) -> None:
    sc = score_applications(read_scores_csv(good_csv).rows)
    assert sc.ranking[["code", "rank"]].values.tolist() == [["A-001", 1], ["A-002", 2], ["A-003", 2], ["A-004", 4]]
    assert sc.to_json()[1] == {"code": "A-002", "total": 80.0, "rank": 2, "spread": 0.0, "flagged": False}


def test_flags_largest_spread_never_zero(good_csv: Path) -> None:
    sc = score_applications(read_scores_csv(good_csv).rows, flag_top=3)
    # only A-001 has a spread (4); spreads of 0 are never flagged even within the top 3
    assert sc.ranking.loc[sc.ranking["flagged"], "code"].tolist() == ["A-001"]
    assert scoring.flag_mask([10, 8, 8, 3, 0], flag_top=2) == [True, True, True, False, False]  # tie at the cut kept
    assert scoring.flag_mask([10, 8, 3, 0], flag_top=0, flag_spread=5) == [True, True, False, False]


def test_krippendorff_alpha_from_the_library() -> None:
    # the example of the krippendorff package's documentation (Krippendorff 2011): interval alpha 0.810845
    nan = float("nan")
    data = [[nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
            [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
            [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4]]
    assert scoring.krippendorff_alpha(data, "interval") == pytest.approx(0.810845, abs=1e-6)
    # identical members → perfect agreement; no variation at all → undefined (NaN)
    rows = [ScoreRow(code, m, c, s) for code, s in (("A-001", 5), ("A-002", 2)) for m in M for c in range(1, 8)]
    sc = score_applications(rows)
    assert sc.alpha == pytest.approx(1.0) and sc.alpha_totals == pytest.approx(1.0)
    assert math.isnan(scoring.krippendorff_alpha([[3, 3], [3, 3]], "ordinal", [1, 2, 3, 4, 5]))


# --- checks with line numbers ----------------------------------------------------------------


def test_missing_score_names_code_member_criterion(tmp_path: Path) -> None:
    lines = rows_for("A-001", A001) + rows_for("A-002", same(4))
    lines.remove("A-002,Чинара,5,4")
    problems = check_scores(read_scores_csv(write_csv(tmp_path, lines)))
    assert [(p.kind, p.code, p.member, p.criterion, p.line) for p in problems] == [
        ("missing", "A-002", "Чинара", 5, None)]
    assert "A-002: Чинара has no score for criterion 5 (Желание учиться)" in str(problems[0])


def test_member_scoring_twice_names_both_lines(tmp_path: Path) -> None:
    lines = rows_for("A-001", A001) + ["A-001,Роза,3,5"]  # line 23: Роза already scored criterion 3 on line 18
    problems = check_scores(read_scores_csv(write_csv(tmp_path, lines)))
    assert len(problems) == 1
    p = problems[0]
    assert (p.kind, p.line, p.code, p.member, p.criterion) == ("duplicate", 23, "A-001", "Роза", 3)
    assert "line 18: 3, line 23: 5" in p.message


def test_out_of_range_unknown_code_bad_criterion_with_lines(tmp_path: Path) -> None:
    lines = rows_for("A-001", A001)
    lines[2] = "A-001,Азамат,3,6"  # line 4
    lines[3] = "A-001,Азамат,4,"  # line 5: empty
    lines += ["A-009,Роза,1,4", "A-001,Роза,8,4", "X1,Роза,1,4"]  # lines 23, 24, 25
    read = read_scores_csv(write_csv(tmp_path, lines))
    problems = check_scores(read, known_codes=["A-001", "A-002"])
    got = [(p.line, p.kind) for p in problems]
    assert got[:5] == [(4, "out_of_range"), (5, "empty_score"), (23, "unknown_code"), (24, "bad_criterion"),
                       (25, "bad_code")]
    # A-002 was never scored; Азамат's criteria 3 and 4 are reported on their lines, not again as missing
    assert [str(p) for p in problems[5:]] == [f"A-002: no scores from {m} (all 7 criteria missing)" for m in M]
    assert "out of range: the scale is 1–5" in str(problems[0]) and str(problems[0]).startswith("line 4: ")


def test_wrong_number_of_members(tmp_path: Path) -> None:
    lines = [x for x in rows_for("A-001", A001) if ",Роза," not in x]
    problems = check_scores(read_scores_csv(write_csv(tmp_path, lines)))
    assert [p.kind for p in problems] == ["members"]
    named = check_scores(read_scores_csv(write_csv(tmp_path, lines)), members=M)
    assert str(named[0]) == "A-001: no scores from Роза (all 7 criteria missing)"


def test_cli_score_json_and_problems(tmp_path: Path, good_csv: Path, capsys: pytest.CaptureFixture) -> None:
    cfg = tmp_path / "club.yaml"
    cfg.write_text("state: nowhere.sqlite\n", encoding="utf-8")
    assert main(["--config", str(cfg), "school", "score", str(good_csv), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0] == {"code": "A-001", "total": 84.33, "rank": 1, "spread": 4.0, "flagged": True}
    assert [r["rank"] for r in out] == [1, 2, 2, 4]
    bad = write_csv(tmp_path, rows_for("A-001", A001)[:-1] + ["A-001,Роза,7,0"], "bad.csv")
    assert main(["--config", str(cfg), "school", "score", str(bad), "--json"]) == 2
    err = capsys.readouterr()
    assert err.out == "" and "line 22: A-001, Роза, criterion 7: score 0 is out of range" in err.err
    assert not (tmp_path / "nowhere.sqlite").exists()  # checking scores creates no state file


# --- ages and the selected list ----------------------------------------------------------------


def test_age_split_at_exactly_28_on_the_first_day() -> None:
    start = date(2021, 1, 25)
    assert age_on(date(1993, 1, 25), start) == 28 and age_group(28) == "28+"  # 28th birthday that day
    assert age_on(date(1993, 1, 26), start) == 27 and age_group(27) == "<28"  # one day short
    assert age_on(date(2003, 1, 25), start) == 18 and age_group(18) == "<28"
    assert age_on(date(2003, 1, 26), start) == 17 and age_group(17) == "<18"
    assert age_on(date(1992, 2, 29), date(2021, 2, 28)) == 28  # leap-day birthday: not yet 29
    assert age_group(None) == "?"


def _app(code: str, birth: str) -> Application:
    return Application(code, "f", code, datetime(2020, 12, 1, tzinfo=timezone.utc), {"birth_date": birth},
                       get_template("school_application"))


def test_selection_by_target_sizes_with_tie_at_the_cut() -> None:
    apps = [_app("A-001", "1993-01-25"), _app("A-002", "1993-01-26"), _app("A-003", "1980-05-01"),
            _app("A-004", "1999-03-03"), _app("A-005", "2004-01-01"), _app("A-006", "1985-07-07")]
    # totals: A-005 (17, ineligible) best; A-001 and A-003 tie for the single 28+ place
    scores = {"A-001": 4, "A-002": 3, "A-003": 4, "A-004": 2, "A-005": 5, "A-006": 3}
    rows = [ScoreRow(c, m, k, s) for c, s in scores.items() for m in M for k in range(1, 8)]
    sc = score_applications(rows)
    sel = select(sc.ranking, apps, Targets(older=1, young_min=2, young_max=2, reserve=1))
    st = dict(zip(sel.table["code"], sel.table["status"]))
    assert st == {"A-005": "ineligible", "A-001": "selected", "A-003": "reserve", "A-002": "selected",
                  "A-006": "not_selected", "A-004": "selected"}
    assert sel.table.set_index("code").loc["A-001", "age_group"] == "28+"  # exactly 28 on 25 Jan 2021
    assert sel.table.set_index("code").loc["A-002", "age_group"] == "<28"
    assert sel.counts() == {"28+": 1, "<28": 2}
    assert sel.warnings == ["group 28+: A-001, A-003 share rank 2 at the cut (1 places): the commission decides "
                            "who takes the last place(s)"]


# --- codes, final ranking, names, roster ----------------------------------------------------------


def _school_store(path: str = ":memory:") -> Store:
    store = Store(path)
    spec = get_template("school_application")
    store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
        " external_id, url, spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,0,'public','local',?,?,"
        "?,'closed',?,?,?)",
        ("apps", spec.id, spec.version, spec.kind, "apps", "x", "http://x/f/x",
         json.dumps(spec.to_json(), ensure_ascii=False), "2020-11-09T03:00:00Z", "2020-12-11T11:00:00Z",
         "2020-11-09T03:00:00Z"))
    people = [("r3", 3, "Асанова Айгерим", "1990-01-01", "aigerim@example.org"),
              ("r1", 1, "Осмонова Бермет", "1999-05-05", "bermet@example.org"),
              ("r2", 2, "Токтогулова Чолпон", "1985-02-02", "")]
    store.responses.add("apps", [{"response_id": rid, "participant_id": None, "respondent_email": None,
                                  "submitted_at": datetime(2020, 11, 10 + day, tzinfo=timezone.utc),
                                  "answers": {"full_name": name, "birth_date": b, "email": e, "phone": "+996 555 1",
                                              "residence": "Ат-Башы айылы, Ат-Башы району, Нарын облусу",
                                              "aiyl_okmotu": "Ат-Башы", "motivation": f"Мен {name.split()[1]}мын."}}
                                 for rid, day, name, b, e in people], "test")
    return store


def test_codes_follow_submission_order_and_stay(tmp_path: Path) -> None:
    store = _school_store()
    apps = assign_codes(store)
    assert [(a.code, a.response_id) for a in apps] == [("A-001", "r1"), ("A-002", "r2"), ("A-003", "r3")]
    # a late arrival (even with an earlier timestamp) gets the next code; existing codes never move
    store.responses.add("apps", [{"response_id": "r0", "participant_id": None, "respondent_email": None,
                                  "submitted_at": datetime(2020, 11, 1, tzinfo=timezone.utc),
                                  "answers": {"full_name": "X Y"}}], "test")
    assert [(a.code, a.response_id) for a in assign_codes(store)][-1] == ("A-004", "r0")
    assert [a.code for a in assign_codes(store)] == ["A-001", "A-002", "A-003", "A-004"]
    # the commission's view: no name, contacts or birth date; her own name masked in texts
    view = codes.coded_view(apps[0])
    assert "full_name" not in view and "email" not in view and "birth_date" not in view
    assert view["age"] == 21 and view["motivation"] == "Мен […]мын."


def test_names_only_after_final_and_accept_joins_roster(tmp_path: Path) -> None:
    store = _school_store()
    apps = assign_codes(store)
    rows = [ScoreRow(a.code, m, k, s) for a, s in zip(apps, (5, 4, 3)) for m in M for k in range(1, 8)]
    sc = score_applications(rows)
    sel = select(sc.ranking, apps)
    with pytest.raises(AutomationError, match="not final yet"):
        selection.revealed(store)
    selection.finalize(store, sel, "digest-1")
    selection.finalize(store, sel, "digest-1")  # same scores: nothing happens
    with pytest.raises(AutomationError, match="already made final"):
        selection.finalize(store, sel, "digest-2")
    names = selection.revealed(store)
    assert names[["code", "name", "status"]].values.tolist() == [
        ["A-001", "Осмонова Бермет", "selected"], ["A-002", "Токтогулова Чолпон", "selected"],
        ["A-003", "Асанова Айгерим", "selected"]]
    acc = selection.accept(store)
    assert (acc.added, acc.updated) == (2, 0)
    assert acc.skipped == ["A-002: no valid e-mail in the application; add her with `roster import`"]
    src = dict(store.db.execute("SELECT email, source FROM participants").fetchall())
    assert src == {"bermet@example.org": "school", "aigerim@example.org": "school"}
    p = store.roster.get("bermet@example.org")
    assert (p.role, p.oblast, p.sex, p.municipality) == ("candidate", "naryn", "f", "Ат-Башы")
    assert selection.accept(store).added == 0  # idempotent


def test_scoring_sheets_round_trip(tmp_path: Path) -> None:
    store = _school_store()
    apps = assign_codes(store)
    paths = sheets.write_scoring_sheets(apps, M, tmp_path)
    assert [p.name for p in paths] == [f"scoring_{m}.xlsx" for m in M]
    read = sheets.read_scores(paths)
    assert [str(p) for p in read.problems] == [f"scoring_{m}.xlsx: no scores yet: {m} has not filled in the sheet"
                                               for m in M]
    rows = [ScoreRow(a.code, m, k, 4) for a in apps for m in M for k in range(1, 8)]
    for m, p in zip(M, paths):
        school_demo.fill_scoring_sheet(p, [r for r in rows if r.member == m])
    from openpyxl import load_workbook

    wb = load_workbook(paths[2])
    wb["Баалоо"]["C5"] = 9  # Роза, A-002, criterion 2
    wb.save(paths[2])
    read = sheets.read_scores(paths)
    assert [str(p) for p in read.problems] == [
        "scoring_Роза.xlsx row 5: A-002, Роза, criterion 2: score 9 is out of range: the scale is 1–5"]
    texts = str([c.value for row in load_workbook(paths[0])["Өтүнмөлөр"].iter_rows() for c in row])
    assert "Осмонова" not in texts and "bermet@example.org" not in texts


# --- mail to the applicants and the demo's stage II -------------------------------------------------


def _school_season(tmp_path: Path, n: int = 12):
    import random

    from conftest import make_season

    root = Path(__file__).resolve().parent.parent / "examples" / "school2021"
    ctx = make_season(tmp_path, root / "plan.yaml", root / "roster.csv")
    spec = get_template("school_application")
    ctx.store.db.execute(
        "INSERT INTO forms (form_key, template_id, template_version, kind, event_id, pre_test, audience, backend,"
        " external_id, url, spec_json, status, opens, deadline, created_at) VALUES (?,?,?,?,?,0,'public','local',?,?,"
        "?,'closed',?,?,?)",
        ("school_applications_2020", spec.id, spec.version, spec.kind, "school_applications_2020", "x",
         "http://x/f/x", json.dumps(spec.to_json(), ensure_ascii=False), "2020-11-09T03:00:00Z",
         "2020-12-11T11:00:00Z", "2020-11-09T03:00:00Z"))
    rng = random.Random(5)
    ctx.store.responses.add("school_applications_2020", [
        {"response_id": f"r{i:02d}", "participant_id": None, "respondent_email": None,
         "submitted_at": datetime(2020, 11, 10, tzinfo=timezone.utc).replace(hour=i % 24, minute=i),
         "answers": school_demo.simulate_application(spec, rng, i)} for i in range(n)], "test")
    return ctx, rng


def test_simulated_applications_are_valid(tmp_path: Path) -> None:
    import random

    from automation.forms.answers import check_answers

    spec = get_template("school_application")
    rng = random.Random(1)
    for i in range(30):
        assert check_answers(spec, school_demo.simulate_application(spec, rng, i)) == {}


def test_run_school_demo_and_result_mail_exactly_once(tmp_path: Path) -> None:
    ctx, rng = _school_season(tmp_path)
    res = school_demo.run_school_demo(ctx, rng, tmp_path)
    assert res.applications == 12 and len(res.scoring.ranking) == 12
    assert res.scoring.members == ["Азамат Бекташев", "Чинара Молдобаева", "Роза Алиева"]  # commission.yaml
    names = {p.name for p in res.files}
    assert {"scores.csv", "ranking.csv", "ranking.json", "selection.csv", "selected_names.csv"} <= names
    assert sum(1 for n in names if n.startswith("scoring_")) == 3
    assert ctx.store.school.is_final()
    selected = int((res.selection.table["status"] == "selected").sum())
    assert res.accepted.added == selected and res.accepted.skipped == []
    assert res.mail_detail.startswith("12 sent")
    mails = [m for m in ctx.backend.mail.messages() if m["X-Club-Action"] == "school.selection_result"]
    assert len(mails) == 12
    body = next(m for m in mails if m["To"] == "applicant.001@example.org").get_body(("plain",)).get_content()
    assert body.startswith("Урматтуу ") and "Уважаемая " in body
    again = school_mail.mail_results(ctx, to_utc(datetime(2021, 1, 17, 10)))
    assert again.detail.startswith("0 sent, 12 already sent")


def test_result_mail_subject_keeps_its_space(tmp_path: Path) -> None:
    # the result mail is built like every club mail (jobs/mailings.py), whose header folding keeps the
    # space between encoded words; built on its own it came back as "…депутатов:результаты отбора"
    ctx, rng = _school_season(tmp_path, n=3)
    school_demo.run_school_demo(ctx, rng, tmp_path)
    mails = [m for m in ctx.backend.mail.messages() if m["X-Club-Action"] == "school.selection_result"]
    assert len(mails) == 3
    for m in mails:
        assert "Школа будущих депутатов: результаты отбора" in str(m["Subject"])
        assert "депутаттар мектеби: тандоонун жыйынтыгы" in str(m["Subject"])


# --- codes given by hand (issue 12) ----------------------------------------------------------------


def _hand_scores(tmp_path: Path, codes_: list[str], name: str = "hand.csv") -> Path:
    # each code scored 5, 4, 3, ... by every member on every criterion
    return write_csv(tmp_path, [x for i, c in enumerate(codes_) for x in rows_for(c, same(5 - i % 5))], name)


def _score(tmp_path: Path, scores: Path, state: str = "state.sqlite", *extra: str) -> int:
    cfg = tmp_path / "club.yaml"
    cfg.write_text(f"state: {state}\n", encoding="utf-8")
    return main(["--config", str(cfg), "school", "score", str(scores), *extra])


def test_codes_given_by_hand_are_scored_when_the_service_coded_nothing(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture) -> None:
    # a secretariat coded paper applications A01..A03 (no state file at all)
    scores = _hand_scores(tmp_path, ["A01", "A02", "A03"])
    assert _score(tmp_path, scores, "nowhere.sqlite", "--json") == 0
    cap = capsys.readouterr()
    assert [(r["code"], r["rank"]) for r in json.loads(cap.out)] == [("A01", 1), ("A02", 2), ("A03", 3)]
    assert "Note: the codes are the secretariat's own (A01…A03; 3 application(s)), not the service's" in cap.err
    # a state file with applications the service has not coded: scored as they are, the store unchanged
    db = tmp_path / "state.sqlite"
    _school_store(str(db)).close()
    assert _score(tmp_path, scores) == 0
    assert "A01" in capsys.readouterr().out
    store = Store(str(db))
    assert store.school.codes() == {}
    store.close()
    # A2 sorts before A10
    assert _score(tmp_path, _hand_scores(tmp_path, [f"A{i}" for i in range(1, 12)], "many.csv"), "nowhere.sqlite",
                  "--json") == 0
    assert [r["code"] for r in json.loads(capsys.readouterr().out)][:3] == ["A1", "A6", "A11"]


def test_codes_given_by_hand_are_refused_when_the_service_coded_the_applications(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "state.sqlite"
    store = _school_store(str(db))
    assign_codes(store)  # A-001..A-003
    store.close()
    before = db.read_bytes()
    assert _score(tmp_path, _hand_scores(tmp_path, ["A01", "A02", "A03"])) == 2
    err = capsys.readouterr().err
    assert "line 2: code 'A01' is not one of the service's codes: the applications in the state file were coded " \
           "by the service (A-001…A-003, see `school codes`)" in err
    assert err.count("is not one of the service's codes") == 3 and "nothing was ranked" in err
    assert db.read_bytes() == before


@pytest.mark.parametrize("codes_, expect", [
    (["A01", "A02", "A-003"], "line 44: code 'A-003' is written differently from the other codes (like 'A01', "
                              "42 score(s)); 21 score(s) use this form"),
    (["A01", "A1"], "line 23: code 'A1' and code 'A01' (line 2) look like the same application written two ways"),
    (["A01", "Иванова"], "line 23: code 'ИВАНОВА' is not an application code: expected a code with a number"),
])
def test_codes_given_by_hand_must_be_written_one_way(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                     codes_: list[str], expect: str) -> None:
    assert _score(tmp_path, _hand_scores(tmp_path, codes_), "nowhere.sqlite") == 2
    err = capsys.readouterr().err
    assert expect in err and "nothing was ranked" in err and "Traceback" not in err


def test_a_member_named_like_a_formula_stays_text(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    apps = assign_codes(_school_store())
    [path] = sheets.write_scoring_sheets(apps, ["=1+1"], tmp_path)
    cell = load_workbook(path)["Баалоо"]["B1"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    read = sheets.read_scores([path])
    assert {p.member for p in read.problems} == {"=1+1"}
