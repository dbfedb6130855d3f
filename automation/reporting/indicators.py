"""The donors' indicators as files: ``indicators.json`` and the workbook ``indicators.xlsx``
(computed by :mod:`automation.analysis.indicators`; cells written by :mod:`automation.workspace.xlsx`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from automation.analysis.indicators import (
    funnel,
    indicators_json,
    oblast_role_table,
    participants_by_oblast_role,
    women_share,
    women_share_hidden,
)
from automation.analysis.summary import MIN_GROUP_SIZE, suppressed_label
from automation.store import Store
from automation.workspace.xlsx import append_row, save_workbook


def write_indicators(store: Store, out_dir: str | Path, plan: Any = None, lang: str = "ru",
                     min_group_size: int = MIN_GROUP_SIZE) -> list[Path]:
    """``<out_dir>/indicators.json`` and ``indicators.xlsx`` (sheets: by oblast and role, women's
    share, School funnel), small cells and their complements hidden in both
    (:mod:`automation.analysis.suppression`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = indicators_json(store, plan, lang, min_group_size)
    pj = out / "indicators.json"
    pj.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    ws.title = "Облус-роль"
    table = oblast_role_table(participants_by_oblast_role(store), lang, min_group_size)
    append_row(ws, ["Область / Облус"] + list(table.columns))
    for idx, r in table.iterrows():
        append_row(ws, [idx] + list(r))
    w2 = wb.create_sheet("Аялдардын үлүшү")
    append_row(w2, ["Уровень", "Мероприятие / год", "Участники", "Женщины", "Мужчины", "Пол не указан", "Доля женщин"])
    hidden = suppressed_label(min_group_size, lang)
    for r in women_share(store, plan, lang).itertuples():
        h = women_share_hidden(r, min_group_size)
        append_row(w2, [r.scope, r.title, *(hidden if c in h else getattr(r, c)
                                            for c in ("participants", "women", "men", "unknown")),
                        hidden if "share_women" in h else
                        None if r.share_women != r.share_women else round(r.share_women, 4)])
        w2.cell(row=w2.max_row, column=7).number_format = "0%"
    w3 = wb.create_sheet("Мектеп")
    append_row(w3, ["Этап", "Число", "Доля от предыдущего", "Цель"])
    for r in funnel(store).itertuples():
        append_row(w3, [r.stage, None if r.n is pd.NA else int(r.n),
                        None if r.share_of_previous != r.share_of_previous else round(r.share_of_previous, 4),
                        None if r.target != r.target else r.target])
    for sheet in (ws, w2, w3):
        for c in sheet[1]:
            c.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 40 if sheet is w2 else 16
    px = save_workbook(wb, out / "indicators.xlsx")
    return [pj, px]
