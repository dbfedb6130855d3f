"""Markdown programmes and handouts as PDF attachments, and a programme's text for the mail body.

Phones do not open ``.md`` files (issue 15), so a Markdown file a mail attaches is
rendered to PDF: Markdown → HTML with markdown-it-py (CommonMark plus tables),
HTML → PDF with fpdf2's ``write_html``, in DejaVu Sans (the TTF files matplotlib
ships in ``mpl-data/fonts/ttf``: Cyrillic with the Kyrgyz letters ө ү ң, so no
system font is needed; fpdf2 embeds only the glyphs used).  Raw HTML in the
Markdown is not passed through, except ``<br>`` (a line break).  Any other file is
attached as it is.

The same Markdown gives the plain text shown in the body (:func:`markdown_text`),
split by language where the file has ``## Кыргызча`` and ``## Русский`` sections
(:func:`programme_text`), as the club's programmes do.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import TextStyle
from markdown_it import MarkdownIt

from automation.errors import AutomationError

#: DejaVu Sans as matplotlib ships it (regular, bold, oblique, bold oblique).
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
          "BI": "DejaVuSans-BoldOblique.ttf"}
MARKDOWN_SUFFIXES = (".md", ".markdown")
#: The PDF's creation date: fixed, so the same file gives the same bytes (and the same message) every time.
_CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Attachment:
    """A file as a mail carries it: ``filename`` (``.pdf`` for a Markdown file), MIME type and bytes."""

    filename: str
    maintype: str
    subtype: str
    data: bytes


def is_markdown(path: Path) -> bool:
    """True for a ``.md`` / ``.markdown`` file (rendered to PDF when attached)."""
    return path.suffix.lower() in MARKDOWN_SUFFIXES


def attached_name(path: Path) -> str:
    """The name the recipient sees: ``programme.pdf`` for ``programme.md``, else the file's name."""
    return f"{path.stem}.pdf" if is_markdown(path) else path.name


def attachment(path: Path) -> Attachment:
    """``path`` as an attachment: a Markdown file rendered to PDF (:func:`markdown_pdf`), any other file as it is
    with the MIME type its name suggests.  Raises :class:`AutomationError` when a Markdown file cannot be read
    as UTF-8 text."""
    if is_markdown(path):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise AutomationError(f"{path} is not UTF-8 text ({e}): save it as UTF-8 and run again") from None
        return Attachment(attached_name(path), "application", "pdf", markdown_pdf(text, path.stem))
    ctype, _ = mimetypes.guess_type(path.name)
    maintype, subtype = (ctype or "application/octet-stream").split("/", 1)
    return Attachment(path.name, maintype, subtype, path.read_bytes())


def _prepare(text: str) -> str:
    """``<br>`` (the only HTML the club's programmes use) as a Markdown hard line break."""
    return re.sub(r"<br\s*/?>[ \t]*\n?", "  \n", text.replace("\r\n", "\n"))


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_html(text: str) -> str:
    """The Markdown ``text`` as HTML (CommonMark and tables; raw HTML escaped, ``<br>`` a line break)."""
    return _markdown().render(_prepare(text))


_CELL = re.compile(r"<(t[hd])( style=\"[^\"]*\")?>(.*?)</t[hd]>", re.S)


def _fit_tables(html: str) -> str:
    """Left-aligned cells, and column widths (on the first row, as fpdf2 reads them) after the columns' text:
    a narrow time column, a wide description."""
    def table(m: re.Match[str]) -> str:
        body = m.group(0)
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        cells = [[re.sub(r"<[^>]+>", "", c[2]) for c in _CELL.findall(r)] for r in rows]
        n = max((len(r) for r in cells), default=0)
        if not n:
            return body
        weight = [min(max((len(r[i]) for r in cells if i < len(r)), default=1), 60) + 4 for i in range(n)]
        widths = [round(100 * w / sum(weight)) for w in weight]
        first = True

        def row(rm: re.Match[str]) -> str:
            nonlocal first
            k = iter(widths if first else [None] * n)
            first = False
            return "<tr>" + _CELL.sub(lambda c: f'<{c[1]} align="left"'
                                      + (f' width="{w}%"' if (w := next(k, None)) else "") + f">{c[3]}</{c[1]}>",
                                      rm.group(1)) + "</tr>"

        return re.sub(r"<tr>(.*?)</tr>", row, body, flags=re.S)

    return re.sub(r"<table>.*?</table>", table, html, flags=re.S)


_STYLES = {
    "h1": TextStyle(color="#1f3a5f", font_size_pt=16, t_margin=4, b_margin=1),
    "h2": TextStyle(color="#1f3a5f", font_size_pt=13, t_margin=4, b_margin=1),
    "h3": TextStyle(color="#1f3a5f", font_size_pt=11.5, t_margin=3, b_margin=1),
    "h4": TextStyle(color="#1f3a5f", font_size_pt=10.5, t_margin=2, b_margin=0.5),
}


@lru_cache(maxsize=16)
def markdown_pdf(text: str, title: str = "") -> bytes:
    """The Markdown ``text`` as an A4 PDF in DejaVu Sans (headings, lists, tables, bold, italics, links).
    Pure, so the last few are kept: the draft and the final programme are often the same file."""
    pdf = FPDF(format="A4")
    for style, name in _FONTS.items():
        pdf.add_font("DejaVu", style, str(FONT_DIR / name))
    pdf.set_font("DejaVu", size=10)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_creation_date(_CREATED)
    if title:
        pdf.set_title(title)
    pdf.add_page()
    pdf.write_html(_fit_tables(markdown_html(text)), font_family="DejaVu", tag_styles=_STYLES,
                   table_line_separators=True, li_prefix_color="#1f3a5f")
    return bytes(pdf.output())


# --- plain text ---------------------------------------------------------------

_RULE = re.compile(r"\s*([-*_])(\s*\1){2,}\s*")
_TABLE_SEP = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*")


def markdown_text(text: str) -> str:
    """The Markdown ``text`` as plain text for a mail body: no ``#``/``**``/``*``, a table row as its cells joined
    by « — », a link as «text (address)», a rule as a blank line, at most one blank line in a row."""
    out: list[str] = []
    for raw in _prepare(text).split("\n"):
        line = raw.rstrip()
        if _TABLE_SEP.fullmatch(line) and "-" in line:
            continue
        if _RULE.fullmatch(line):
            out.append("")
            continue
        line = re.sub(r"^\s{0,3}#{1,6}\s+", "", line)
        if line.lstrip().startswith("|"):
            line = " — ".join(c.strip() for c in line.strip().strip("|").split("|") if c.strip())
        line = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"\1 (\2)", line)
        line = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda m: m.group(1) or m.group(2), line)
        line = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", line)
        out.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


_SECTION = re.compile(r"^##\s+(.+?)\s*$", re.M)
_LANG_HEADINGS = {"ky": ("кыргызча", "кыргыз тилинде"), "ru": ("русский", "на русском", "по-русски")}


def programme_text(text: str) -> dict[str, str]:
    """``{"ky": ..., "ru": ...}``: the plain text (:func:`markdown_text`) of each language's section when the
    Markdown has ``## Кыргызча`` and ``## Русский`` headings (a section runs to the next ``##`` heading);
    otherwise the whole text under ``ky`` (shown once, in the first part of a group mail) and "" under ``ru``."""
    heads = list(_SECTION.finditer(text))
    found: dict[str, str] = {}
    for i, m in enumerate(heads):
        name = m.group(1).strip().lower()
        lang = next((lg for lg, names in _LANG_HEADINGS.items() if name in names), None)
        if lang and lang not in found:
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            found[lang] = markdown_text(text[m.end():end])
    if set(found) == {"ky", "ru"}:
        return {"ky": found["ky"], "ru": found["ru"]}
    return {"ky": markdown_text(text), "ru": ""}
