"""The plan → dated actions, checked against DOMAIN.md's calendar rules with hand-computed dates.

Calendar rules (seed 000, "Формирование документов"): the draft programme 30 days
before the start (at 10:00) with a feedback deadline 14 days later (18:00); the
final programme 7 days before; the what-to-prepare notice 2 days before an online
workshop; post-event forms open at the end, close 7 days later at 18:00, with a
reminder 2 days before the deadline; the weekly tea talk announced 24 hours before.

Every expected moment below is written as a literal Asia/Bishkek wall-clock time.
"""

from __future__ import annotations

import copy
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from automation.store import LedgerEntry
import yaml

from automation.errors import PlanError
from automation.model import BISHKEK
from automation.plan.actions import actions
from automation.plan.load import load_plan

ROOT = Path(__file__).resolve().parent.parent
CLUB_PLAN = ROOT / "examples" / "club2022" / "plan.yaml"
SCHOOL_PLAN = ROOT / "examples" / "school2021" / "plan.yaml"


def L(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:  # noqa: N802
    """Asia/Bishkek wall-clock time (UTC+6)."""
    return datetime(y, mo, d, h, mi, tzinfo=BISHKEK)


@pytest.fixture(scope="module")
def school() -> dict:
    return {a.key: a for a in actions(load_plan(SCHOOL_PLAN))}


@pytest.fixture(scope="module")
def club() -> dict:
    return {a.key: a for a in actions(load_plan(CLUB_PLAN))}


def due(acts: dict, key: str) -> datetime:
    return acts[key].due


# --- the School of future deputies 2020–21 (seed 002) --------------------------------


def test_school_applications_form(school):
    # stage I: 9 Nov – 11 Dec 2020, deadline 11 Dec 2020 17:00; a public form: no personal reminder
    k = "school_applications_2020"
    assert due(school, f"{k}.create") == L(2020, 11, 9, 9, 0)
    assert due(school, f"{k}.invitation") == L(2020, 11, 9, 9, 0)
    assert school[f"{k}.create"].expires == L(2020, 12, 11, 17, 0)
    for kind in ("close", "sync", "report"):
        assert due(school, f"{k}.{kind}") == L(2020, 12, 11, 17, 0)
    assert school[f"{k}.close"].expires is None
    assert f"{k}.reminder" not in school
    assert f"{k}.results" not in school
    assert school[f"{k}.invitation"].payload["audience"] == "public"


def test_school_programme_dates(school):
    # the school starts 2021-01-25 09:00: draft 30 days before, at 10:00
    draft = school["school_2021.programme_draft"]
    assert draft.due == L(2020, 12, 26, 10, 0)
    assert datetime.fromisoformat(draft.payload["feedback_deadline"]) == L(2021, 1, 9, 18, 0)
    assert draft.expires == L(2021, 1, 9, 18, 0)  # a draft after the discussion closed is pointless
    final = school["school_2021.programme_final"]
    assert final.due == L(2021, 1, 18, 10, 0)
    assert final.expires == L(2021, 1, 25, 9, 0)
    # offline: no what-to-prepare notice
    assert "school_2021.prepare_notice" not in school


def test_school_pre_test_and_post_event_forms(school):
    pre = "school_2021.post_test.pre"
    assert due(school, f"{pre}.create") == L(2021, 1, 23, 10, 0)  # 2 days before the start, 10:00
    assert due(school, f"{pre}.close") == L(2021, 1, 25, 9, 0)  # closes when the school starts
    # 2 days before the deadline is before the form has been open a day: halfway instead (23.5 h after opening)
    assert due(school, f"{pre}.reminder") == L(2021, 1, 24, 9, 30)
    assert f"{pre}.results" not in school  # no results mail for a pre-test
    for tpl in ("post_test", "event_feedback"):
        k = f"school_2021.{tpl}"
        assert due(school, f"{k}.create") == L(2021, 1, 29, 17, 0)  # when the school ends
        assert due(school, f"{k}.invitation") == L(2021, 1, 29, 17, 0)
        assert due(school, f"{k}.reminder") == L(2021, 2, 3, 18, 0)
        assert due(school, f"{k}.close") == L(2021, 2, 5, 18, 0)
        assert due(school, f"{k}.sync") == L(2021, 2, 5, 18, 0)
        assert due(school, f"{k}.report") == L(2021, 2, 5, 18, 0)
        assert due(school, f"{k}.results") == L(2021, 2, 5, 18, 0)
        assert school[f"{k}.results"].expires == L(2021, 2, 12, 18, 0)
    assert due(school, "school_2021.materials") == L(2021, 1, 29, 17, 0)
    assert school["school_2021.materials"].expires == L(2021, 2, 28, 17, 0)
    # mentoring homework due 10 Apr 2021 17:00: reminder a week before at 10:00
    assert due(school, "school_2021.homework_reminder") == L(2021, 4, 3, 10, 0)
    assert school["school_2021.homework_reminder"].expires == L(2021, 4, 10, 17, 0)


def test_school_online_meeting_and_workshop(school):
    # online meeting 4 Mar 2021 15:00 (2021 is not a leap year)
    assert due(school, "meeting_2021_03_04.programme_draft") == L(2021, 2, 2, 10, 0)
    assert datetime.fromisoformat(school["meeting_2021_03_04.programme_draft"].payload["feedback_deadline"]) == \
        L(2021, 2, 16, 18, 0)
    assert due(school, "meeting_2021_03_04.programme_final") == L(2021, 2, 25, 10, 0)
    assert "meeting_2021_03_04.prepare_notice" not in school  # only online workshops get it
    # the gender-budget online workshop, 16 Jun 2021 10:00–12:00
    g = "seminar_gender_budget"
    assert due(school, f"{g}.programme_draft") == L(2021, 5, 17, 10, 0)
    assert due(school, f"{g}.programme_final") == L(2021, 6, 9, 10, 0)
    assert due(school, f"{g}.prepare_notice") == L(2021, 6, 14, 10, 0)
    assert school[f"{g}.prepare_notice"].expires == L(2021, 6, 16, 10, 0)
    assert due(school, f"{g}.post_test.close") == L(2021, 6, 23, 18, 0)
    assert due(school, f"{g}.homework_reminder") == L(2021, 8, 20, 10, 0)


def test_school_action_counts(school):
    assert Counter(a.kind for a in school.values()) == {
        "mail.programme_draft": 6, "mail.programme_final": 6, "mail.prepare_notice": 1,
        "form.create": 10, "mail.form_invitation": 10, "mail.form_reminder": 9, "form.close": 10,
        "responses.sync": 10, "report.refresh": 10, "mail.form_closed": 8, "mail.materials": 3,
        "mail.homework_reminder": 2, "mail.admin_summary": 47, "mail.test_result": 2,
    }
    # the admin's weekly summary: Mondays 09:00, from the first week of the plan to the week after the last action
    summaries = sorted(a.due for a in school.values() if a.kind == "mail.admin_summary")
    assert summaries[0] == L(2020, 11, 9, 9, 0)
    assert summaries[-1] == L(2021, 9, 27, 9, 0)
    assert all(d.astimezone(BISHKEK).weekday() == 0 for d in summaries)


# --- the club 2022 --------------------------------------------------------------------


def test_club_online_workshop_law_budget(club):
    w = "ws_law_budget"  # online workshop 14 Jul 2022 14:00–16:00
    draft = club[f"{w}.programme_draft"]
    assert draft.due == L(2022, 6, 14, 10, 0)
    assert datetime.fromisoformat(draft.payload["feedback_deadline"]) == L(2022, 6, 28, 18, 0)
    assert due(club, f"{w}.programme_final") == L(2022, 7, 7, 10, 0)
    prep = club[f"{w}.prepare_notice"]
    assert prep.due == L(2022, 7, 12, 10, 0)  # 2 days before
    assert prep.expires == L(2022, 7, 14, 14, 0)
    # the pre-test opens 2 days before and closes at the start; reminder halfway (26 h after opening)
    assert due(club, f"{w}.post_test.pre.create") == L(2022, 7, 12, 10, 0)
    assert due(club, f"{w}.post_test.pre.reminder") == L(2022, 7, 13, 12, 0)
    assert due(club, f"{w}.post_test.pre.close") == L(2022, 7, 14, 14, 0)
    # post-test, feedback and vote: created and announced at the end
    for tpl in ("post_test", "event_feedback", "best_practice_vote"):
        k = f"{w}.{tpl}"
        assert due(club, f"{k}.create") == L(2022, 7, 14, 16, 0)
        assert due(club, f"{k}.invitation") == L(2022, 7, 14, 16, 0)
        assert due(club, f"{k}.reminder") == L(2022, 7, 19, 18, 0)
        assert club[f"{k}.reminder"].expires == L(2022, 7, 21, 18, 0)
        assert due(club, f"{k}.close") == L(2022, 7, 21, 18, 0)
        assert due(club, f"{k}.sync") == L(2022, 7, 21, 18, 0)
        assert due(club, f"{k}.report") == L(2022, 7, 21, 18, 0)
        assert datetime.fromisoformat(club[f"{k}.create"].payload["deadline"]) == L(2022, 7, 21, 18, 0)
    assert due(club, f"{w}.materials") == L(2022, 7, 14, 16, 0)
    assert club[f"{w}.materials"].expires == L(2022, 8, 13, 16, 0)
    assert due(club, f"{w}.homework_reminder") == L(2022, 8, 5, 10, 0)  # homework due 12 Aug 18:00
    assert club[f"{w}.homework_reminder"].expires == L(2022, 8, 12, 18, 0)


def test_club_order_at_the_same_moment(club):
    """At the end of the workshop the forms are created before they are announced."""
    at_end = [a for a in sorted(club.values(), key=lambda a: (a.due, a.order, a.key))
              if a.due == L(2022, 7, 14, 16, 0)]
    kinds = [a.kind for a in at_end]
    assert kinds == ["form.create"] * 3 + ["mail.form_invitation"] * 3 + ["mail.materials"]
    closing = [a.kind for a in sorted(club.values(), key=lambda a: (a.due, a.order, a.key))
               if a.due == L(2022, 7, 21, 18, 0)]
    assert closing == ["form.close"] * 3 + ["responses.sync"] * 3 + ["report.refresh"] * 3 + ["mail.form_closed"] * 3 \
        + ["mail.test_result"]  # her own score when the post-test closes


def test_club_second_workshop_and_offline_mini_school(club):
    assert due(club, "ws_communication.programme_draft") == L(2022, 7, 19, 10, 0)
    assert datetime.fromisoformat(club["ws_communication.programme_draft"].payload["feedback_deadline"]) == \
        L(2022, 8, 2, 18, 0)
    assert due(club, "ws_communication.programme_final") == L(2022, 8, 11, 10, 0)
    assert due(club, "ws_communication.prepare_notice") == L(2022, 8, 16, 10, 0)
    assert due(club, "ws_communication.event_feedback.create") == L(2022, 8, 18, 16, 0)
    m = "mini_school_issyk_kul"  # offline, 22 Sep 09:00 – 23 Sep 17:00
    assert due(club, f"{m}.programme_draft") == L(2022, 8, 23, 10, 0)
    assert due(club, f"{m}.programme_final") == L(2022, 9, 15, 10, 0)
    assert f"{m}.prepare_notice" not in club
    assert due(club, f"{m}.event_feedback.create") == L(2022, 9, 23, 17, 0)  # at the end of the second day
    assert due(club, f"{m}.event_feedback.reminder") == L(2022, 9, 28, 18, 0)
    assert due(club, f"{m}.event_feedback.close") == L(2022, 9, 30, 18, 0)
    assert due(club, f"{m}.homework_reminder") == L(2023, 1, 20, 10, 0)  # task due 27 Jan 2023 17:00
    assert "online_conf_coalitions.prepare_notice" not in club  # a conference is not a workshop
    assert due(club, "chongoi_2022.programme_draft") == L(2022, 11, 16, 10, 0)
    assert due(club, "chongoi_2022.programme_final") == L(2022, 12, 9, 10, 0)


def test_club_needs_survey(club):
    assert due(club, "needs_2022.create") == L(2022, 5, 14, 9, 0)
    assert due(club, "needs_2022.reminder") == L(2022, 5, 29, 18, 0)
    assert due(club, "needs_2022.close") == L(2022, 5, 31, 18, 0)
    assert club["needs_2022.results"].expires == L(2022, 6, 7, 18, 0)


def test_club_tea_talk_weekly_and_the_skipped_holiday(club):
    talks = sorted((a for a in club.values() if a.kind == "mail.tea_talk"), key=lambda a: a.due)
    assert len(talks) == 24  # Wednesdays 6 Jul – 21 Dec 2022 is 25, minus 31 Aug
    first = club["tea_talk.2022-07-06"]
    assert first.due == L(2022, 7, 5, 17, 0)  # announced 24 h before
    assert first.expires == L(2022, 7, 6, 17, 0)
    assert datetime.fromisoformat(first.payload["talk_at"]) == L(2022, 7, 6, 17, 0)
    # the week of the holiday: talks on 24 Aug and 7 Sep, none on 31 Aug (Independence Day)
    assert due(club, "tea_talk.2022-08-24") == L(2022, 8, 23, 17, 0)
    assert "tea_talk.2022-08-31" not in club
    assert due(club, "tea_talk.2022-09-07") == L(2022, 9, 6, 17, 0)
    assert talks[-1].key == "tea_talk.2022-12-21"
    for a in talks:
        talk = datetime.fromisoformat(a.payload["talk_at"]).astimezone(BISHKEK)
        assert (talk.weekday(), talk.hour, talk.minute) == (2, 17, 0)
        assert a.due == talk - timedelta(hours=24)
    gaps = {(b.due - a.due).days for a, b in zip(talks, talks[1:])}
    assert gaps == {7, 14}


def test_club_action_kinds_follow_the_plan(club):
    """Every event and survey of the club's plan gets exactly the actions the rules give it."""
    plan = load_plan(CLUB_PLAN)
    expected: Counter = Counter()
    for e in plan.events:
        expected["mail.programme_draft"] += 1
        expected["mail.programme_final"] += 1
        expected["mail.prepare_notice"] += e.format == "online_workshop"
        expected["mail.materials"] += bool(e.materials or e.homework_title)
        expected["mail.homework_reminder"] += e.homework_deadline is not None
    for f in plan.forms:
        for kind in ("form.create", "mail.form_invitation", "form.close", "responses.sync", "report.refresh"):
            expected[kind] += 1
        expected["mail.form_reminder"] += f.audience == "roster"
        expected["mail.form_closed"] += f.audience == "roster" and not f.pre_test
        expected["mail.test_result"] += f.audience == "roster" and not f.pre_test and f.template == "post_test"
    expected["mail.tea_talk"] = 24
    expected["mail.admin_summary"] = 37
    assert Counter(a.kind for a in club.values()) == +expected
    assert len(plan.events) == 10
    assert expected["mail.prepare_notice"] == 3  # the three online workshops
    summaries = sorted(a.due for a in club.values() if a.kind == "mail.admin_summary")
    assert summaries[0] == L(2022, 5, 16, 9, 0)  # the Monday after the needs survey opens
    assert summaries[-1] == L(2023, 1, 23, 9, 0)  # the week after the last action (20 Jan 2023)


def test_every_draft_final_and_prepare_follows_the_rules(club, school):
    """The rules, checked on every event of both plans (not only the ones above)."""
    for path, acts in ((CLUB_PLAN, club), (SCHOOL_PLAN, school)):
        for e in load_plan(path).events:
            start = e.start.astimezone(BISHKEK)
            d = acts[f"{e.id}.programme_draft"].due.astimezone(BISHKEK)
            assert (start.date() - d.date()).days == 30 and (d.hour, d.minute) == (10, 0), e.id
            fb = datetime.fromisoformat(acts[f"{e.id}.programme_draft"].payload["feedback_deadline"])
            assert (fb.astimezone(BISHKEK).date() - d.date()).days == 14, e.id
            f = acts[f"{e.id}.programme_final"].due.astimezone(BISHKEK)
            assert (start.date() - f.date()).days == 7, e.id
            if e.format == "online_workshop":
                p = acts[f"{e.id}.prepare_notice"].due.astimezone(BISHKEK)
                assert (start.date() - p.date()).days == 2, e.id
            else:
                assert f"{e.id}.prepare_notice" not in acts


def test_keys_are_unique_and_stable():
    for path in (CLUB_PLAN, SCHOOL_PLAN):
        a1, a2 = actions(load_plan(path)), actions(load_plan(path))
        keys = [a.key for a in a1]
        assert len(keys) == len(set(keys)), path
        assert keys == [a.key for a in a2]
        assert [(a.key, a.due, a.expires, a.kind, a.payload) for a in a1] == \
               [(a.key, a.due, a.expires, a.kind, a.payload) for a in a2]
        assert [a.due for a in a1] == sorted(a.due for a in a1)


# --- validation ---------------------------------------------------------------------

BASE_PLAN: dict[str, Any] = {
    "club": {"name": {"ky": "Клуб", "ru": "Клуб"}, "group_email": "club@example.org",
             "admin_email": "admin@example.org"},
    "events": [{
        "id": "ws",
        "title": {"ky": "Семинар", "ru": "Семинар"},
        "format": "online_workshop",
        "start": "2022-09-15 14:00",
        "end": "2022-09-15 16:00",
        "presenters": ["a@example.org"],
        "forms": [{"template": "post_test"}, {"template": "best_practice_vote"}],
        "materials": [{"title": {"ky": "Эскертме", "ru": "Памятка"}, "file": "materials/handout.md"}],
    }],
}
EV = "events[0] (id ws)"


def write_plan(tmp_path: Path, data: Any) -> Path:
    (tmp_path / "materials").mkdir(exist_ok=True)
    (tmp_path / "materials" / "handout.md").write_text("# Памятка\n", encoding="utf-8")
    p = tmp_path / "plan.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def plan_problems(tmp_path: Path, data: Any) -> list[str]:
    p = write_plan(tmp_path, data)
    with pytest.raises(PlanError) as ei:
        load_plan(p)
    assert ei.value.source == str(p)
    assert str(p) in str(ei.value)
    return ei.value.problems


def bp() -> dict[str, Any]:
    return copy.deepcopy(BASE_PLAN)


def test_the_base_plan_of_these_tests_is_valid(tmp_path):
    plan = load_plan(write_plan(tmp_path, bp()))
    (ev,) = plan.events
    assert ev.start == L(2022, 9, 15, 14, 0)
    assert ev.materials[0].file == str((tmp_path / "materials" / "handout.md").resolve())
    assert [f.key for f in ev.forms] == ["ws.post_test", "ws.best_practice_vote"]


def test_unknown_key(tmp_path):
    d = bp()
    d["calendar"] = {}
    d["events"][0]["colour"] = "red"
    probs = plan_problems(tmp_path, d)
    assert len(probs) == 2
    assert probs[0] == "calendar: unknown key (allowed: club, events, settings, surveys, tea_talk)"
    assert probs[1].startswith("events[0].colour: unknown key (allowed: ")


def test_unknown_setting(tmp_path):
    d = bp()
    d["settings"] = {"draft_days": 30}
    assert plan_problems(tmp_path, d)[0].startswith("settings.draft_days: unknown key (allowed: ")


def test_unknown_template(tmp_path):
    d = bp()
    d["events"][0]["forms"][0]["template"] = "post_tets"
    assert plan_problems(tmp_path, d) == [
        f"{EV}.forms[0].template: unknown template 'post_tets' (known: best_practice_vote, event_feedback, "
        "needs_assessment, post_test, school_application)"]


def test_end_before_start(tmp_path):
    d = bp()
    d["events"][0]["end"] = "2022-09-15 13:00"
    assert plan_problems(tmp_path, d) == [f"{EV}.end: must be after start"]


def test_survey_deadline_before_opens(tmp_path):
    d = bp()
    d["surveys"] = [{"id": "needs", "template": "needs_assessment", "opens": "2022-06-20 10:00",
                     "deadline": "2022-06-01 18:00"}]
    assert plan_problems(tmp_path, d) == ["surveys[0].deadline: must be after opens"]


def test_bad_email(tmp_path):
    d = bp()
    d["club"]["admin_email"] = "amuca.gmail.com"
    d["events"][0]["presenters"] = ["a@example.org", "bermet"]
    assert plan_problems(tmp_path, d) == [
        "club.admin_email: expected an e-mail address, found 'amuca.gmail.com'",
        f"{EV}.presenters[1]: expected an e-mail address, found 'bermet'",
    ]


def test_missing_translation(tmp_path):
    d = bp()
    del d["events"][0]["title"]["ru"]
    d["club"]["name"]["ky"] = ""
    assert plan_problems(tmp_path, d) == ["club.name.ky: missing translation", f"{EV}.title.ru: missing translation"]


def test_unknown_format(tmp_path):
    d = bp()
    d["events"][0]["format"] = "webinar"
    probs = plan_problems(tmp_path, d)
    assert probs == [f"{EV}.format: unknown format 'webinar' (allowed: online_workshop, lecture, master_class, "
                     "online_conference, round_table, mini_school, school, conference, online_meeting, seminar)"]


def test_best_practice_vote_without_presenters(tmp_path):
    d = bp()
    del d["events"][0]["presenters"]
    assert plan_problems(tmp_path, d) == [
        f"{EV}.forms[1].template: a best_practice_vote needs the event's presenters (add presenters: [...])"]


def test_missing_material_file_is_not_a_plan_problem(tmp_path):
    """A missing file is a problem of the action that sends it (automation/plan/ahead.py, tests/test_plan_files.py);
    a file outside the plan's folder is still refused."""
    d = bp()
    d["events"][0]["materials"][0]["file"] = "materials/budget.pdf"
    plan = load_plan(write_plan(tmp_path, d))
    assert plan.events[0].materials[0].file == str((tmp_path / "materials" / "budget.pdf").resolve())
    d["events"][0]["materials"][0]["file"] = "../budget.pdf"
    [problem] = plan_problems(tmp_path, d)
    assert problem.startswith(f"{EV}.materials[0].file: '../budget.pdf' is outside the plan's folder")


def test_bad_date_and_duplicate_event_id(tmp_path):
    d = bp()
    d["events"].append(copy.deepcopy(d["events"][0]))
    d["events"][1]["start"] = "15.09.2022 14:00"
    probs = plan_problems(tmp_path, d)
    assert probs == ["events[1] (id ws).start: expected a date and time like 2022-09-15 14:00 (Asia/Bishkek), "
                     "found '15.09.2022 14:00'"]
    d["events"][1]["start"] = "2022-09-15 14:00"
    assert plan_problems(tmp_path, d) == ["events[1].id: duplicate id 'ws'"]


def test_invalid_yaml_names_the_line(tmp_path):
    p = tmp_path / "plan.yaml"
    p.write_text("club:\n  name: {ky: Клуб, ru: Клуб\nevents: []\n", encoding="utf-8")
    with pytest.raises(PlanError) as ei:
        load_plan(p)
    assert ei.value.problems[0].startswith("line 3, column 7: not valid YAML (")


def test_all_problems_reported_together(tmp_path):
    d = bp()
    d["events"][0]["format"] = "webinar"
    d["events"][0]["end"] = "2022-09-14 16:00"
    d["events"][0]["forms"][0]["template"] = "nope"
    probs = plan_problems(tmp_path, d)
    assert [p.split(": ")[0] for p in probs] == [f"{EV}.format", f"{EV}.end", f"{EV}.forms[0].template"]


def test_plan_status_merges_the_ledger_with_the_actions():
    from automation.plan.status import STATUSES, plan_status

    plan = load_plan(CLUB_PLAN)
    acts = actions(plan)
    now = acts[10].due
    ledger = {a.key: LedgerEntry(a.key, a.kind, a.event_id, "", st, "", detail, 1)
              for a, st, detail in [(acts[0], "done", "1 sent"), (acts[1], "failed", "x")]}
    rows = plan_status(plan, ledger, now)
    assert [r.action.key for r in rows] == [a.key for a in acts]
    assert (rows[0].status, rows[0].detail) == ("done", "1 sent")
    assert (rows[1].status, rows[1].detail) == ("failed", "x")
    assert all(r.status == "due" and r.detail == "" for r in rows[2:11] if r.action.due <= now)
    assert all(r.status == "planned" for r in rows if r.action.due > now)
    assert {r.status for r in rows} <= set(STATUSES)
    assert [r.action.key for r in plan_status(plan, ledger, now, "failed")] == [acts[1].key]
    assert plan_status(plan, {}, acts[0].due - timedelta(days=1), "due") == []


def test_mail_action_finds_mailings_only():
    from automation.errors import AutomationError
    from automation.plan.actions import mail_action

    plan = load_plan(CLUB_PLAN)
    assert mail_action(plan, "tea_talk.2022-07-06").kind == "mail.tea_talk"
    with pytest.raises(AutomationError, match=r"no action 'nope' in the plan \(see `plan show`; mail actions: "):
        mail_action(plan, "nope")
    with pytest.raises(AutomationError, match="needs_2022.create is a form.create action, not a mailing"):
        mail_action(plan, "needs_2022.create")
