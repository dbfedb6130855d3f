"""Programmes and handouts as PDF (Cyrillic with ө ү ң), and the programme's text in the mail body (issue 15)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from automation.jobs import mailings
from automation.mail.documents import attached_name, attachment, markdown_pdf, markdown_text, programme_text
from automation.plan.actions import actions

ROOT = Path(__file__).resolve().parent.parent
PROGRAMME = ROOT / "examples" / "club2022" / "programmes" / "ws_law_budget.md"
HANDOUT = ROOT / "examples" / "club2022" / "materials" / "local_budget_handout.md"


def pdf_text(data: bytes) -> str:
    """The text pypdf extracts from every page, spaces and line breaks collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_a_markdown_programme_becomes_a_pdf_with_the_kyrgyz_letters():
    a = attachment(PROGRAMME)
    assert (a.filename, a.maintype, a.subtype) == ("ws_law_budget.pdf", "application", "pdf")
    assert a.data.startswith(b"%PDF-")
    text = pdf_text(a.data)
    # ө ү ң, as written in the programme, come back out of the PDF (the font has them; nothing is a box)
    for phrase in ("Жергиликтүү өз алдынча башкаруу", "Күн тартиби", "Гүлнара Абдыкалыкова", "кеңештин",
                   "Местное самоуправление: законодательство и местный бюджет", "Повестка"):
        assert phrase in text, phrase
    # the table's cells are there, row by row
    assert text.index("14:00–14:10") < text.index("Ачылыш") < text.index("14:10–14:40")
    assert "**" not in text and "|" not in text and "<br>" not in text


def test_the_same_markdown_gives_the_same_pdf_bytes():
    assert markdown_pdf("# Тест ө ү ң\n\nТекст.", "t") == markdown_pdf("# Тест ө ү ң\n\nТекст.", "t")


def test_a_handout_and_other_files():
    assert attached_name(HANDOUT) == "local_budget_handout.pdf"
    assert "Жергиликтүү бюджет: жергиликтүү кеңештин депутатына эскертме" in pdf_text(attachment(HANDOUT).data)
    assert attached_name(Path("slides.pptx")) == "slides.pptx"


def test_a_markdown_file_that_is_not_utf8_gets_a_message(tmp_path):
    bad = tmp_path / "programme.md"
    bad.write_bytes("Программа".encode("cp1251"))
    from automation.errors import AutomationError

    with pytest.raises(AutomationError, match="not UTF-8 text"):
        attachment(bad)


def test_markdown_as_plain_text():
    md = ("# Заголовок\n\n*курсив*<br>\n**жирный** и [ссылка](https://example.org)\n\n---\n\n"
          "| Время | Что |\n| --- | --- |\n| 14:00 | Открытие |\n")
    assert markdown_text(md) == ("Заголовок\n\nкурсив\nжирный и ссылка (https://example.org)\n\n"
                                 "Время — Что\n14:00 — Открытие\n")


def test_programme_text_is_split_by_language():
    text = programme_text(PROGRAMME.read_text(encoding="utf-8"))
    assert text["ky"].startswith("- Күнү жана убактысы: 2022-жылдын 14-июлу")
    assert "Русский" not in text["ky"] and "Повестка" not in text["ky"]
    assert text["ru"].startswith("- Дата и время: 14 июля 2022 г.")
    assert "14:00–14:10 — Открытие: цели семинара" in text["ru"]
    # without language sections: the whole text once, in the first (Kyrgyz) part of the mail
    assert programme_text("# Программа\n\n- Пункт\n") == {"ky": "Программа\n\n- Пункт\n", "ru": ""}


def test_the_programme_mail_attaches_the_pdf_and_shows_the_programme(season):
    a = next(x for x in actions(season.plan) if x.key == "ws_law_budget.programme_final")
    [o] = mailings.compose_programme_final(season, a, a.due)
    [att] = list(o.msg.iter_attachments())
    assert att.get_filename() == "ws_law_budget.pdf" and att.get_content_type() == "application/pdf"
    assert "Гүлнара Абдыкалыкова" in pdf_text(att.get_content())
    body = o.msg.get_body(("plain",)).get_content()
    ky, ru = body.split("-" * 40)
    assert "Программа ушул катка тиркелди (PDF), анын тексти төмөндө." in ky
    assert "- Күнү жана убактысы: 2022-жылдын 14-июлу (бейшемби)" in ky and "Дата и время" not in ky
    assert "Программа — во вложении к этому письму (PDF), её текст — ниже." in ru
    assert "14:00–14:10 — Открытие: цели семинара" in ru and "Күнү жана убактысы" not in ru
    html = o.msg.get_body(("html",)).get_content()
    assert "Күн тартиби" in html and "Повестка" in html


def test_materials_name_the_pdf_they_attach(season):
    a = next(x for x in actions(season.plan) if x.key == "ws_law_budget.materials")
    [o] = mailings.compose_materials(season, a, a.due)
    assert [p.get_filename() for p in o.msg.iter_attachments()] == ["local_budget_handout.pdf"]
    assert "local_budget_handout.pdf" in o.msg.get_body(("plain",)).get_content()
