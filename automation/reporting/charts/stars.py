"""The stars' leaderboard chart: horizontal bars of stars per participant, the proposed #ЧоңОй speakers
in green (the leaderboard comes from :func:`automation.analysis.stars.leaderboard`)."""

from __future__ import annotations

from pathlib import Path

from automation.analysis.stars import Stars

#: The chart's texts per language: title, axis, the speakers' note, the tie rule, "no stars yet".
STRINGS = {
    "ru": {"title": "Звёздочки сезона: лучшие практики", "axis": "Звёздочки",
           "speakers": "Зелёным — предлагаемые спикеры #ЧоңОй (топ-{n} по звёздочкам).",
           "share": "При ничьей звёздочку получает каждая победительница.",
           "split": "При ничьей звёздочка делится между победительницами.",
           "none": "Пока нет звёздочек."},
    "ky": {"title": "Сезондун жылдызчалары: мыкты тажрыйбалар", "axis": "Жылдызчалар",
           "speakers": "Жашыл түс — #ЧоңОй конференциясына сунушталган спикерлер (жылдызчалар боюнча топ-{n}).",
           "share": "Добуштар тең болсо, ар бир жеңүүчү жылдызча алат.",
           "split": "Добуштар тең болсо, жылдызча жеңүүчүлөрдүн ортосунда бөлүнөт.",
           "none": "Азырынча жылдызчалар жок."},
}


_VOTES_RU = {"one": "голос", "few": "голоса", "many": "голосов", "other": "голоса"}


def votes_word(n: int, lang: str = "ru") -> str:
    """"голос/голоса/голосов" by Russian plural rules (Babel's CLDR data); Kyrgyz "добуш" does not change."""
    if lang == "ky":
        return "добуш"
    from babel import Locale

    return _VOTES_RU[Locale("ru").plural_form(n)]


def fmt_stars(x: float, lang: str = "") -> str:
    """``2``, ``1.5`` (``1,5`` in Russian and Kyrgyz charts: a decimal comma)."""
    s = f"{x:g}" if float(x).is_integer() else f"{x:.2f}".rstrip("0")
    return s.replace(".", ",") if lang in ("ru", "ky") else s


def leaderboard_chart(stars: Stars, path: str | Path, lang: str = "ru", max_bars: int = 25,
                      svg: bool = False) -> Path | None:
    """Horizontal bars of stars per participant (those with at least one star, at most
    ``max_bars``), the proposed #ЧоңОй speakers in green; the style of :mod:`automation.reporting.charts.bars`.
    Returns None (and writes nothing) when nobody has a star yet."""
    from automation.reporting.charts import bars as charts

    s = STRINGS.get(lang, STRINGS["ru"])
    shown = stars.board[stars.board["stars"] > 0].head(max_bars)
    if shown.empty:
        return None
    labels = shown["name"].tolist()
    values = shown["stars"].tolist()
    ann = [f"{fmt_stars(v, lang)} ({n} {votes_word(int(n), lang)})" for v, n in zip(values, shown["votes"])]
    colors = [charts.ACCENT if sp else charts.PRIMARY for sp in shown["speaker"]]
    note = s["speakers"].format(n=stars.rules.top_n) + " " + s[stars.rules.ties]
    return charts.hbar(labels, values, ann, s["title"], s["axis"], note, Path(path), svg, colors)
