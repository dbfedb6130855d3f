"""The commission members' scoring workbooks: one ``.xlsx`` per member with the coded applications
(written through the one formula-safe writer, :mod:`automation.workspace.xlsx`), read back into scores;
and :func:`read_scores`, which reads any mix of scores CSVs and filled workbooks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from automation.programmes.school.codes import Application, coded_view
from automation.programmes.school.criteria import CRITERIA, HIDDEN_QUESTIONS, SCHOOL_START
from automation.programmes.school.scores import (
    Problem,
    ScoreRow,
    ScoresError,
    ScoresRead,
    cell_problems,
    read_scores_csv,
)
from automation.workspace.xlsx import append_row, put, save_workbook

#: The sheet a member fills in: her name in B1, the header in row :data:`HEADER_ROW`, a row per code below.
SCORING_SHEET = "Баалоо"
#: The sheet of the coded applications (what the commission sees of them).
APPS_SHEET = "Өтүнмөлөр"
#: The sheet of the criteria and their weights.
CRITERIA_SHEET = "Критерийлер"
#: The header row of :data:`SCORING_SHEET`; the first code is on the next row.
HEADER_ROW = 3


def _slug(name: str) -> str:
    tr = str.maketrans({"ө": "o", "ү": "u", "ң": "n", "Ө": "O", "Ү": "U", "Ң": "N"})
    s = re.sub(r"[^\w.-]+", "_", name.translate(tr), flags=re.UNICODE).strip("_")
    return s or "member"


def scoring_sheet_path(out_dir: str | Path, member: str) -> Path:
    """``<out_dir>/scoring_<member>.xlsx``, the member's name made safe for a file name."""
    return Path(out_dir) / f"scoring_{_slug(member)}.xlsx"


def write_scoring_sheets(apps: Sequence[Application], members: Sequence[str], out_dir: str | Path,
                         on: date = SCHOOL_START) -> list[Path]:
    """One ``.xlsx`` per member: sheet «Баалоо» (member's name in B1; from row 4 a row per code with
    the 7 criteria to fill, whole numbers 1–5 enforced by data validation, and a comment column),
    «Өтүнмөлөр» (the coded applications: no name, contacts or birth date; see :func:`coded_view`)
    and «Критерийлер» (criteria and weights in Kyrgyz and Russian).  Returns the paths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor="FFF2CC")
    spec = apps[0].spec if apps else None
    views = [coded_view(a, "ru", on) for a in apps]
    views_ky = [coded_view(a, "ky", on) for a in apps]
    paths = []
    for member in members:
        wb = Workbook()
        ws = wb.active
        ws.title = SCORING_SHEET
        put(ws, 1, 1, "Комиссиянын мүчөсү / Член комиссии").font = bold
        put(ws, 1, 2, member).font = bold
        put(ws, 2, 1, "Ар бир критерийге 1ден 5ке чейин бүтүн баа коюңуз / Поставьте по каждому критерию целую "
                      "оценку от 1 до 5. Бааларды өз алдынча коюңуз / Оценивайте независимо.")
        header = ["Код"] + [f"{c.number}. {c.title.ky} / {c.title.ru} ({c.weight}%)" for c in CRITERIA] + \
                 ["Эскертүү / Комментарий"]
        for j, h in enumerate(header, start=1):
            cell = put(ws, HEADER_ROW, j, h)
            cell.font, cell.alignment = bold, wrap
            ws.column_dimensions[get_column_letter(j)].width = 10 if j == 1 else (30 if j == len(header) else 18)
        ws.row_dimensions[HEADER_ROW].height = 90
        for i, a in enumerate(apps):
            r = HEADER_ROW + 1 + i
            put(ws, r, 1, a.code).font = bold
            for j in range(2, 2 + len(CRITERIA)):
                ws.cell(row=r, column=j).fill = fill
        if apps:
            dv = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True,
                                showErrorMessage=True, error="1–5", errorTitle="1–5")
            dv.add(f"B{HEADER_ROW + 1}:{get_column_letter(1 + len(CRITERIA))}{HEADER_ROW + len(apps)}")
            ws.add_data_validation(dv)
        ws.freeze_panes = f"B{HEADER_ROW + 1}"
        # the coded applications
        wa = wb.create_sheet(APPS_SHEET)
        qs = [q for q in spec.questions if q.id not in HIDDEN_QUESTIONS] if spec else []
        append_row(wa, ["Код", "Жашы", "Топ"] + [q.title.ky for q in qs])
        append_row(wa, ["Код", "Возраст", "Группа"] + [q.title.ru for q in qs])
        for v, vk in zip(views, views_ky):
            row = [v["code"], v["age"], v["age_group"]]
            for q in qs:
                row.append(v[q.id] if q.kind in ("short_text", "long_text", "date") else f"{vk[q.id]} / {v[q.id]}"
                           if vk[q.id] != v[q.id] else v[q.id])
            append_row(wa, row)  # applicants' text is never a formula
        for row in wa.iter_rows():
            for cell in row:
                cell.alignment = wrap
        for cell in wa[1] + wa[2]:
            cell.font = bold
        for j in range(1, len(qs) + 4):
            wa.column_dimensions[get_column_letter(j)].width = 10 if j <= 3 else 40
        wa.freeze_panes = "B3"
        wc = wb.create_sheet(CRITERIA_SHEET)
        append_row(wc, ["№", "Критерий (ky)", "Критерий (ru)", "Салмак / Вес, %"])
        for c in CRITERIA:
            append_row(wc, [c.number, c.title.ky, c.title.ru, c.weight])
        append_row(wc, ["", "БААРЫ", "ВСЕГО", 100])
        for j, w in enumerate((5, 60, 60, 14), start=1):
            wc.column_dimensions[get_column_letter(j)].width = w
        wb.properties.title = f"School scoring sheet: {member}"[:255]
        paths.append(save_workbook(wb, scoring_sheet_path(out, member), retry="run `school sheets` again"))
    return paths


def read_scoring_sheet(path: str | Path) -> ScoresRead:
    """Read one member's filled scoring sheet back: rows as from a scores CSV, ``where`` =
    ``<file> row N``.  Empty cells are reported as empty scores."""
    from openpyxl import load_workbook

    p = Path(path)
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises several kinds for a file that is not a workbook
        raise ScoresError(str(p), [f"not a readable .xlsx workbook ({e})"]) from None
    if SCORING_SHEET not in wb.sheetnames:
        raise ScoresError(str(p), [f"no sheet {SCORING_SHEET!r}: is this a scoring sheet made by `school sheets`?"])
    ws = wb[SCORING_SHEET]
    member = str(ws["B1"].value or "").strip()
    rows: list[ScoreRow] = []
    problems: list[Problem] = []
    if not member:
        problems.append(Problem("bad_member", "cell B1 (the member's name) is empty", 1, f"{p.name} row 1"))
    digest = hashlib.sha256()
    empty_rows: list[Problem] = []
    n_rows = 0
    for r, values in enumerate(ws.iter_rows(min_row=HEADER_ROW + 1, max_col=1 + len(CRITERIA), values_only=True),
                               start=HEADER_ROW + 1):
        if not values or values[0] is None or str(values[0]).strip() == "":
            continue
        n_rows += 1
        code = str(values[0]).strip()
        cells = list(values[1:1 + len(CRITERIA)]) + [None] * (len(CRITERIA) + 1 - len(values))
        if all(v is None or str(v).strip() == "" for v in cells):
            digest.update(f"{code}|{member}|empty\n".encode())
            empty_rows.append(Problem("empty_score", f"{code}: no scores on this row (all 7 criteria empty)", r,
                                      f"{p.name} row {r}", code, member or None))
            continue
        for c in CRITERIA:
            v = values[c.number] if len(values) > c.number else None
            digest.update(f"{code}|{member}|{c.number}|{v}\n".encode())
            row, probs = cell_problems(code, member or "?", c.number, v, f"{p.name} row {r}", r)
            if row:
                rows.append(row)
            problems.extend(probs)
    wb.close()
    if n_rows and len(empty_rows) == n_rows:
        problems.append(Problem("empty_score", f"no scores yet: {member or 'the member'} has not filled in the sheet",
                                None, p.name, None, member or None))
    else:
        problems += empty_rows
    return ScoresRead(rows, problems, str(p), digest.hexdigest())


def read_scores(paths: Sequence[str | Path]) -> ScoresRead:
    """Read one or more scores files (``.csv`` or members' ``.xlsx`` sheets) into one set."""
    rows: list[ScoreRow] = []
    problems: list[Problem] = []
    digest = hashlib.sha256()
    for path in paths:
        p = Path(path)
        one = read_scoring_sheet(p) if p.suffix.lower() in (".xlsx", ".xlsm") else read_scores_csv(p)
        prefix = f"{p.name} " if len(paths) > 1 and p.suffix.lower() == ".csv" else ""
        rows += [ScoreRow(r.code, r.member, r.criterion, r.score, prefix + r.where, r.line) for r in one.rows]
        problems += [Problem(x.kind, x.message, x.line, prefix + x.where, x.code, x.member, x.criterion)
                     for x in one.problems]
        digest.update(one.digest.encode())
    return ScoresRead(rows, problems, ", ".join(str(p) for p in paths), digest.hexdigest())
