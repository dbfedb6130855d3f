"""Every Markdown the club may write goes as PDF (tables with bold cells, lists, images, code, long words), and a
PDF that still cannot be made never stops a mailing (automation/mail/documents.py; the School programme crashed
fpdf2's ``write_html`` with "Unsupported nested HTML tags inside <td>")."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from pathlib import Path

from pypdf import PdfReader

from automation.cli.main import main
from automation.forms.templates import DEFAULT_DIR
from automation.jobs import mailings
from automation.jobs.alerts import open_alerts
from automation.mail import documents
from automation.mail.documents import attachment, markdown_html, markdown_pdf, markdown_text, pdf_problem
from automation.plan.actions import actions
from automation.plan.ahead import problems_ahead
from automation.scheduler import run_action

ROOT = Path(__file__).resolve().parent.parent
SCHOOL = ROOT / "examples" / "school2021"
SCHOOL_PROGRAMME = SCHOOL / "programmes" / "school_2021.md"

TORTURE = """# Программа ө ү ң

## Кыргызча

| Күн | Сессия | Шилтеме |
| :--- | ---: | :---: |
| **Дүйшөмбү** — ачылыш | *курсив* жана `код` | [сайт](https://example.org/very/long/path/abcdefghijklmnopqrstuvwxyz0123456789) |
| - бир<br>- эки<br>- үч | ![сүрөт](missing.png) текст | https://example.org |
| | **Толук жоон** | *курсив* **жоон** [l](x) |
| Узун_сөз_ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ | a & b < c | "кавычка" |

### Тизме

- бир **жоон**
  - эки *курсив*
    1. үч `code`
- [шилтеме](https://example.org)

![жок сүрөт](images/nope.png)
![](https://example.org/remote.png)

> цитата ң

```python
print("ө ү ң")
```

---

###### Алтынчы ө

ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ
https://example.org/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa

1. one
2. two
   - nested

Text <b>raw html</b> and <script>x</script>.
"""


def pdf_text(data: bytes) -> str:
    """The text pypdf extracts from every page, spaces and line breaks collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_the_school_programme_table_with_bold_cells_becomes_a_pdf():
    a = attachment(SCHOOL_PROGRAMME)
    assert (a.filename, a.subtype) == ("school_2021.pdf", "pdf") and a.data.startswith(b"%PDF-")
    text = pdf_text(a.data)
    for cell in ("Дүйшөмбү, 25-январь", "Ачылыш, таанышуу, күтүүлөр, Мектептин эрежелери", "Гендерге сезимтал бюджет",
                 "Жума, 29-январь — практикум", "Кичи топтордо программа даярдоо", "ө", "ү", "ң",
                 "мүмкүнчүлүктөрү", "муктаждыктарын", "Программалардын"):  # no word cut in a narrow column
        assert cell in text, cell
    assert text.index("Дүйшөмбү, 25-январь") < text.index("Шейшемби, 26-январь") < text.index("Жума, 29-январь")
    assert "**" not in text and "|" not in text


def test_a_cell_becomes_one_text_run_and_a_cell_that_begins_in_bold_is_bold():
    html = documents._fit_tables(markdown_html(
        "| A | B |\n| --- | --- |\n| **Дүйшөмбү** — тема | [сайт](https://x.kg) `код` & *i*<br>экинчи сап |\n"))
    assert "<b>Дүйшөмбү — тема</b>" in html
    assert "сайт (https://x.kg) код &amp; i\nэкинчи сап</td>" in html
    assert "<strong>" not in html and "<a " not in html and "<code>" not in html


def test_every_construct_the_club_may_write_renders():
    text = pdf_text(markdown_pdf(TORTURE, "torture"))
    for piece in ("Программа ө ү ң", "Дүйшөмбү — ачылыш", "сайт (https://example.or", "- бир", "- эки", "- үч",
                  "[сүрөт] текст", "Толук жоон", "a & b < c", "Тизме", "эки курсив", "үч code", "шилтеме",
                  "[жок сүрөт]", "цитата ң", 'print("ө ү ң")', "Алтынчы ө", "nested", "<b>raw html</b>"):
        assert piece in text, piece
    assert pdf_problem(SCHOOL_PROGRAMME) is None


def test_a_line_break_in_a_table_cell_keeps_the_row_in_plain_text():
    assert markdown_text("| Күн | Эмне |\n| --- | --- |\n| 1 | бир<br>эки |\n") == "Күн — Эмне\n1 — бир; эки\n"


def _broken(monkeypatch):
    """The PDF renderer fails on everything, as fpdf2 did on the School's table."""
    def boom(text: str, title: str = "") -> bytes:
        raise NotImplementedError("Unsupported nested HTML tags inside <td> element: <td>")
    monkeypatch.setattr(documents, "markdown_pdf", boom)


def test_a_pdf_that_cannot_be_made_does_not_stop_the_mailing(season, monkeypatch, caplog):
    _broken(monkeypatch)
    a = next(x for x in actions(season.plan) if x.key == "ws_law_budget.programme_draft")
    with caplog.at_level(logging.WARNING, logger="automation.mail.documents"):
        res = run_action(season, a, a.due)
    assert res.status == "done", res.detail
    [msg] = [m for m in season.backend.mail.messages() if m["X-Club-Action"] != "admin.alert"]
    [att] = list(msg.iter_attachments())
    assert att.get_filename() == "ws_law_budget.md" and att.get_content_type() == "text/markdown"
    assert "Күн тартиби" in att.get_content()
    body = msg.get_body(("plain",)).get_content()
    assert "(PDF)" not in body and "Программанын долбоору ушул катка тиркелди, анын тексти төмөндө." in body
    assert "Гүлнара Абдыкалыкова" in body  # the programme itself is in the mail
    assert "no PDF of" in caplog.text and "ws_law_budget.md" in caplog.text
    assert not any("please report it" in str(e) for e in open_alerts(season))


def test_plan_check_names_a_programme_whose_pdf_cannot_be_made(season, monkeypatch):
    a = next(x for x in actions(season.plan) if x.key == "ws_law_budget.programme_draft")
    now = a.due - timedelta(days=20)
    assert not any("PDF" in p.what for p in problems_ahead(season.plan, lambda e: None, now, DEFAULT_DIR))
    _broken(monkeypatch)
    found = [p for p in problems_ahead(season.plan, lambda e: None, now, DEFAULT_DIR, days=60) if "PDF" in p.what]
    keys = [p.key for p in found]
    assert "ws_law_budget.programme_draft" in keys and "ws_law_budget.programme_final" in keys
    assert "ws_law_budget.md cannot be made into a PDF (NotImplementedError: Unsupported nested" in found[0].what
    assert "simplify the part named" in found[0].what


def _school_config(tmp: Path) -> str:
    p = tmp / "club.yaml"
    p.write_text(f"plan: {SCHOOL / 'plan.yaml'}\nstate: {tmp / 'state.sqlite'}\nout: {tmp / 'out'}\n", encoding="utf-8")
    return str(p)


def test_mail_preview_of_the_school_draft_prints_no_traceback(tmp_path, monkeypatch, capsys):
    cfg = _school_config(tmp_path)
    assert main(["--config", cfg, "roster", "import", str(SCHOOL / "roster.csv")]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "mail", "preview", "school_2021.programme_draft", "--now", "2020-12-26T10:00"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Attachments: school_2021.pdf" in out
    _broken(monkeypatch)
    assert main(["--config", cfg, "mail", "preview", "school_2021.programme_draft", "--now", "2020-12-26T10:00"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "Attachments: school_2021.md" in out
    assert main(["--config", cfg, "plan", "check", "--now", "2020-11-20T10:00", "--days", "60"]) == 1
    out, err = capsys.readouterr()
    assert "school_2021.md cannot be made into a PDF" in out and "Traceback" not in out + err
