"""The demo's School of future deputies: simulated applicants and commission, and stage II run on the
School season's store (codes, scoring sheets filled by the simulated members, ranking, selection, result
mails, the selected joining the roster), then simulated graduation and election results.

Nothing here is used outside the demo: the rules are in :mod:`automation.programmes.school`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from automation.demo.outcomes import simulate_outcomes
from automation.errors import AutomationError, ValidationError
from automation.model import FormSpec, to_utc
from automation.programmes.school.codes import Application, assign_codes
from automation.programmes.school.commission import Commission, load_commission
from automation.programmes.school.criteria import CRITERIA, SCHOOL_START
from automation.programmes.school.mail import mail_results
from automation.programmes.school.scores import ScoreRow, check_scores, write_scores_csv
from automation.programmes.school.scoring import Scoring, score_applications
from automation.programmes.school.selection import Accepted, Selection, accept, finalize, revealed, select
from automation.programmes.school.sheets import HEADER_ROW, SCORING_SHEET, read_scores, write_scoring_sheets

_NAMES = ["Айгерим", "Айзада", "Айпери", "Асель", "Бактыгүл", "Бегимай", "Жылдыз", "Гүлзат", "Динара", "Элнура",
          "Зарина", "Калыйкан", "Мээрим", "Назгүл", "Нургүл", "Перизат", "Сезим", "Толгонай", "Чолпон", "Жаңыл",
          "Венера", "Эльмира", "Гүлнара", "Каныкей", "Салтанат", "Акмөөр", "Урмат", "Мирлан"]
_SURNAMES = ["Абдыраева", "Бейшеева", "Жумабаева", "Касымова", "Мамытова", "Осмонова", "Сыдыкова", "Токтогулова",
             "Үсөнова", "Эшиева", "Асанова", "Бообекова", "Дүйшөева", "Иманалиева", "Калдарова", "Чыныбаева"]
_PLACES = [("Ак-Суу айылы, Ак-Суу району", "Ысык-Көл облусу", "Ак-Суу айыл аймагы"),
           ("Тоң айылы, Тоң району", "Ысык-Көл облусу", "Тоң айыл аймагы"),
           ("Ат-Башы айылы, Ат-Башы району", "Нарын облусу", "Ат-Башы айыл аймагы"),
           ("Кочкор айылы, Кочкор району", "Нарын облусу", "Кочкор айыл аймагы"),
           ("Базар-Коргон айылы, Базар-Коргон району", "Жалал-Абад облусу", "Базар-Коргон айыл аймагы"),
           ("Сузак айылы, Сузак району", "Жалал-Абад облусу", "Сузак айыл аймагы"),
           ("Кара-Суу шаары, Кара-Суу району", "Ош облусу", "Кара-Суу айыл аймагы"),
           ("Ноокат айылы, Ноокат району", "Ош облусу", "Ноокат айыл аймагы")]
_WORK = [("Мектеп", "Мугалим"), ("ФАП", "Медайым"), ("Айыл өкмөтү", "Адис"), ("Жеке ишкер", "Ишкер"),
         ("Бала бакча", "Тарбиячы"), ("Коомдук бирикме", "Координатор"), ("Үй чарбасы", "—")]
_ESSAY = ["Айылыбызда таза суу маселеси курч. Депутат болсом, жамаат менен бирге долбоор даярдап, бюджеттен каражат "
          "бөлдүрүүгө аракет кылам.",
          "Жаштар үчүн иш орундары жок, көбү чет өлкөгө кетип жатат. Кеңеште жаштардын үнү угулушу керек.",
          "Бала бакчада орун жетишпейт. Аялдар иштей албай жатышат. Бул маселени кеңештин сессиясына алып чыгам.",
          "Жолдор начар, кышында мектепке жетүү кыйын. Коомдук угууларда бул маселени көтөрдүм, эми депутат "
          "катары чечким келет."]


def simulate_application(spec: FormSpec, rng: Any, i: int) -> dict[str, Any]:
    """Plausible answers to ``school_application`` for applicant number ``i`` (the demo): a made-up
    name, an ``@example.org`` address, an age mix around the targets (about 60% aged 28+, 35%
    18–27, a few under 18), a village in a pilot oblast, mostly "yes" answers and a short essay."""
    u = rng.random()
    age = rng.randint(28, 55) if u < 0.6 else (rng.randint(18, 27) if u < 0.96 else 17)
    birth = SCHOOL_START - timedelta(days=int(365.25 * age) + rng.randint(1, 360))
    place, oblast, ao = rng.choice(_PLACES)
    work, pos = rng.choice(_WORK)
    yes = lambda p: "yes" if rng.random() < p else "no"  # noqa: E731
    ans: dict[str, Any] = {
        "full_name": f"{rng.choice(_SURNAMES)} {rng.choice(_NAMES)}", "sex": "female",
        "birth_date": birth.isoformat(), "residence": f"{place}, {oblast}", "aiyl_okmotu": ao, "workplace": work,
        "position": pos, "phone": f"+996 {rng.choice(['700', '555', '777', '502'])} {rng.randint(100, 999)} "
                                  f"{rng.randint(100, 999)}",
        "email": f"applicant.{i + 1:03d}@example.org",
        "lsg_experience": yes(0.6), "community_work": yes(0.7), "support_group": yes(0.6),
        **{f"learn_{k}": yes(0.92) for k in range(1, 5)}, **{f"stage_{k}": yes(0.93) for k in range(1, 10)},
        "motivation": " ".join(rng.sample(_ESSAY, rng.randint(1, 3))),
    }
    if ans["lsg_experience"] == "yes":
        ans["lsg_experience_text"] = "Айыл өкмөтү менен бирге коомдук угууларды уюштурууга катыштым."
    if ans["community_work"] == "yes":
        ans["community_work_text"] = "Аялдар кеңешинин мүчөсүмүн, айылдагы ыйгарым укуктуу топко катышам."
    if ans["support_group"] == "yes":
        ans["support_group_text"] = "Аялдар кеңеши жана жаштар комитети."
    known = {q.id for q in spec.questions}
    return {k: v for k, v in ans.items() if k in known}


def _quality(app: Application, rng: Any) -> dict[int, float]:
    """A latent merit per criterion (the demo's "truth"), from the answers plus applicant-level noise."""
    a = app.answers
    yes = lambda k: 1.0 if a.get(k) == "yes" else 0.0  # noqa: E731
    stages = sum(yes(f"stage_{k}") for k in range(1, 10)) / 9
    learn = sum(yes(f"learn_{k}") for k in range(1, 5)) / 4
    essay = min(1.0, len(str(a.get("motivation", "")).split()) / 45)
    base = rng.gauss(0, 0.9)
    return {1: base + essay, 2: base + 2 * stages - 1, 3: base + yes("lsg_experience") - 0.3,
            4: base + essay - 0.2, 5: base + 2 * learn - 1, 6: base + yes("community_work") + 0.5 * yes("support_group")
            - 0.5, 7: base + 0.5 * essay + 0.3 * yes("support_group")}


def simulate_commission(apps: Sequence[Application], members: Sequence[str], rng: Any) -> list[ScoreRow]:
    """Independent 1–5 scores of every member for every application and criterion (the demo).

    Score = round(3 + merit + member's leniency + noise), clipped to 1–5; the
    members differ in leniency (+0.3, 0, −0.4, ...), and about one application
    in eight is read very differently by one member (large noise), so some
    spreads stand out and get flagged."""
    lenience = [0.3, 0.0, -0.4, 0.2, -0.2][: len(members)] + [0.0] * max(0, len(members) - 5)
    rows = []
    for a in apps:
        q = _quality(a, rng)
        odd = rng.randrange(len(members)) if rng.random() < 0.125 else None
        for k, m in enumerate(members):
            sd = 1.3 if k == odd else 0.35
            shift = rng.choice([-1.2, 1.2]) if k == odd else 0.0
            for c in CRITERIA:
                s = round(3 + q[c.number] + lenience[k] + shift + rng.gauss(0, sd))
                rows.append(ScoreRow(a.code, m, c.number, max(1, min(5, s))))
    return rows


def fill_scoring_sheet(path: str | Path, rows: Sequence[ScoreRow]) -> None:
    """Write a member's scores into her scoring sheet (the demo plays the member filling it in)."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb[SCORING_SHEET]
    where = {str(ws.cell(row=r, column=1).value): r for r in range(HEADER_ROW + 1, ws.max_row + 1)}
    for s in rows:
        ws.cell(row=where[s.code], column=1 + s.criterion, value=s.score)
    wb.save(path)


@dataclass
class SchoolDemoResult:
    """What :func:`run_school_demo` did: the number of ``applications``, the ``scoring``, the
    ``selection``, who was ``accepted`` into the roster, the result mails' delivery ``mail_detail``
    and the ``files`` written."""

    applications: int
    scoring: Scoring
    selection: Selection
    accepted: Accepted
    mail_detail: str
    files: list[Path]


def run_school_demo(ctx: Any, rng: Any, out_dir: str | Path | None = None, now: datetime | None = None,
                    commission: Commission | str | Path | None = None,
                    log: Callable[[str], None] | None = None) -> SchoolDemoResult:
    """Stage II of the School on the demo's School store: codes, one scoring sheet per member
    (filled by :func:`simulate_commission` and read back), checks, ranking, agreement, the
    selected list, final ranking, result mails to the applicants, and the selected joining
    the roster (source ``school``).

    ``ctx``: the Context of the School season (its store holds the ``school_application``
    responses).  ``now``: when the list is made (default 16 Jan 2021 10:00 Asia/Bishkek, the
    end of stage II).  Writes under ``out_dir`` (default ``ctx.out_dir``) ``school/``:
    ``scoring_<member>.xlsx``, ``scores.csv``, ``ranking.csv``, ``ranking.json``,
    ``selection.csv`` (codes only) and ``selected_names.csv`` (after finalising).
    Idempotent: a second run with the same scores changes nothing and sends no mail twice.
    """
    say = log or (lambda m: None)
    out = Path(out_dir or ctx.out_dir) / "school"
    out.mkdir(parents=True, exist_ok=True)
    now = now or to_utc(datetime(2021, 1, 16, 10, 0))
    if commission is None:
        default = Path(__file__).resolve().parents[2] / "examples" / "school2021" / "commission.yaml"
        commission = load_commission(default) if default.exists() else Commission(["Member 1", "Member 2", "Member 3"])
    elif not isinstance(commission, Commission):
        commission = load_commission(commission)
    apps = assign_codes(ctx.store, now - timedelta(days=30))
    if not apps:
        raise AutomationError("no School applications in the store: run the application form first")
    files = write_scoring_sheets(apps, commission.members, out, commission.school_start)
    scores = simulate_commission(apps, commission.members, rng)
    for m, path in zip(commission.members, files):
        fill_scoring_sheet(path, [s for s in scores if s.member == m])
    read = read_scores(files)
    problems = check_scores(read, [a.code for a in apps], commission.members)
    if problems:
        raise ValidationError("demo scoring sheets", [str(p) for p in problems])
    files.append(write_scores_csv(read.rows, out / "scores.csv"))
    scoring = score_applications(read.rows, commission.flag_top, commission.flag_spread, commission.members)
    sel = select(scoring.ranking, apps, commission.targets, commission.school_start)
    sel.table.to_csv(out / "selection.csv", index=False)
    scoring.ranking.to_csv(out / "ranking.csv", index=False)
    (out / "ranking.json").write_text(json.dumps(scoring.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    files += [out / "selection.csv", out / "ranking.csv", out / "ranking.json"]
    finalize(ctx.store, sel, read.digest, now)
    names = revealed(ctx.store, ("selected", "reserve"))
    names.to_csv(out / "selected_names.csv", index=False)
    files.append(out / "selected_names.csv")
    mail = mail_results(ctx, now)
    acc = accept(ctx.store, now)
    say(f"School selection: {len(apps)} applications, {sel.counts()} selected, alpha {scoring.alpha:.3f}; "
        f"mail {mail.detail}; roster +{acc.added}")
    return SchoolDemoResult(len(apps), scoring, sel, acc, mail.detail, files)


def school_demo_hook(rng: Any, out_dir: str | Path | None = None, at: datetime | None = None,
                     log: Callable[[str], None] | None = None,
                     outcomes_at: datetime | None = None) -> Callable[[Any, datetime], SchoolDemoResult | None]:
    """A callback ``hook(ctx, t)`` for the demo's tick loop (call it before ``run_due`` at each tick).

    At the first tick at or after ``at`` (default 16 Jan 2021 10:00 Asia/Bishkek, the end of
    stage II) it runs :func:`run_school_demo` once, so the selected applicants are in the roster
    before the School's programme and forms go out; at the first tick at or after
    ``outcomes_at`` (default 1 May 2021, after the local elections of 11 April 2021, stage V)
    it enters simulated graduation and election results
    (:func:`automation.demo.outcomes.simulate_outcomes`, file ``school/election_results.csv``).
    ``hook.state`` holds ``"selection"`` (a :class:`SchoolDemoResult`) and ``"outcomes"`` (a path).
    """
    when = at or to_utc(datetime(2021, 1, 16, 10, 0))
    after = outcomes_at or to_utc(datetime(2021, 5, 1, 10, 0))
    state: dict[str, Any] = {}

    def hook(ctx: Any, t: datetime) -> SchoolDemoResult | None:
        if "selection" not in state and t >= when:
            state["selection"] = run_school_demo(ctx, rng, out_dir, when, log=log)
            return state["selection"]
        if "selection" in state and "outcomes" not in state and t >= after:
            state["outcomes"] = simulate_outcomes(ctx.store, rng, Path(out_dir or ctx.out_dir) / "school" /
                                                  "election_results.csv")
        return None

    hook.state = state  # type: ignore[attr-defined]
    return hook
