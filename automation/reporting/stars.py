"""The stars' files: the leaderboard workbook (written by the one formula-safe writer,
:mod:`automation.workspace.xlsx`) and, with :func:`write_stars`, the leaderboard chart beside it.
The leaderboard itself comes from :mod:`automation.analysis.stars`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automation.analysis.stars import StarRules, Stars, leaderboard
from automation.model import OBLASTS
from automation.reporting.charts.stars import leaderboard_chart
from automation.store import Store
from automation.workspace.xlsx import append_row, save_workbook


def write_leaderboard_xlsx(stars: Stars, path: str | Path, titles: dict[str, str] | None = None) -> Path:
    """A workbook with the sheets «Жылдызчалар» (the leaderboard) and «Добуштар» (per event:
    responses, valid votes, self-votes rejected, superseded, winners).  Names are written as
    text, never as formulas.  ``titles``: event id → title for the second sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    names = dict(zip(stars.board["participant_id"], stars.board["name"]))
    wb = Workbook()
    ws = wb.active
    ws.title = "Жылдызчалар"
    append_row(ws, ["Орун / Место", "Аты-жөнү / ФИО", "Облус / Область", "Жылдызчалар / Звёздочки",
                    "Жеңиштер / Победы", "Добуштар / Голоса", "Иш-чаралар / Мероприятия", "#ЧоңОй спикер"])
    for r in stars.board.itertuples():
        append_row(ws, [int(r.rank), r.name, OBLASTS.get(r.oblast, {}).get("ru", r.oblast or ""), float(r.stars),
                        int(r.wins), int(r.votes), int(r.events), "✓" if r.speaker else ""])
    we = wb.create_sheet("Добуштар")
    append_row(we, ["Иш-чара / Мероприятие", "Жооптор / Ответы", "Жарактуу / Действительные",
                    "Өзүнө добуш (четке кагылды) / За себя (отклонено)", "Алмаштырылган / Заменённые",
                    "Башка четке кагылгандар / Прочие отклонённые", "Жеңүүчүлөр / Победительницы", "Добуш / Голоса",
                    "Жылдызча / Звёздочка"])
    for r in stars.events.itertuples():
        append_row(we, [(titles or {}).get(r.event_id, r.event_id), int(r.responses), int(r.valid),
                        int(r.self_votes), int(r.superseded), int(r.rejected_other),
                        ", ".join(names.get(w, w) for w in r.winners), int(r.winner_votes), float(r.star_each)])
    for sheet in (ws, we):
        for c in sheet[1]:
            c.font = Font(bold=True)
        for j in range(1, sheet.max_column + 1):
            sheet.column_dimensions[get_column_letter(j)].width = 34 if j in (2, 7) or sheet is we and j == 1 else 16
        sheet.freeze_panes = "A2"
    return save_workbook(wb, path)


@dataclass
class StarsFiles:
    """What :func:`write_stars` made: the leaderboard (``stars``), the ``chart`` (None when nobody has
    a star yet) and the ``workbook``."""

    stars: Stars
    chart: Path | None
    workbook: Path


def write_stars(store: Store, out_dir: str | Path, rules: StarRules = StarRules(), lang: str = "ru",
                sheets_dir: str | Path | None = None, plan: Any = None) -> StarsFiles:
    """The leaderboard, its chart ``<out_dir>/charts/stars.leaderboard.<lang>.png`` and the workbook
    ``<sheets_dir or out_dir/sheets>/stars.xlsx``.  ``plan`` (optional) gives event titles."""
    st = leaderboard(store, rules)
    out = Path(out_dir)
    chart = leaderboard_chart(st, out / "charts" / f"stars.leaderboard.{lang}.png", lang)
    titles = {e.id: e.title.get(lang) for e in plan.events} if plan is not None else None
    wbk = write_leaderboard_xlsx(st, Path(sheets_dir or out / "sheets") / "stars.xlsx", titles)
    return StarsFiles(st, chart, wbk)
