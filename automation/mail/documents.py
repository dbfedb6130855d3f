"""Markdown programmes and handouts as PDF attachments, and a programme's text for the mail body.

Phones do not open ``.md`` files (issue 15), so a Markdown file a mail attaches is
rendered to PDF: Markdown → HTML with markdown-it-py (CommonMark plus tables),
HTML → PDF with fpdf2's ``write_html``, in DejaVu Sans (the TTF files matplotlib
ships in ``mpl-data/fonts/ttf``: Cyrillic with the Kyrgyz letters ө ү ң, so no
system font is needed; fpdf2 embeds only the glyphs used; code in DejaVu Sans Mono).
Raw HTML in the Markdown is not passed through, except ``<br>`` (a line break, also
inside a table cell).  Any other file is attached as it is.

fpdf2's ``write_html`` takes only plain text in a table cell (one text run per
``<td>``, fpdf2 2.8 ``html.py``: "Unsupported nested HTML tags inside <td>"), so
:func:`_fit_tables` flattens a cell to its text before fpdf2 sees it: a link as
«text (address)», code as its text, a line break kept; a cell that begins in bold
(or italics) is set wholly in bold (italics), as the club's day-by-day tables
write «**Monday, 25 January** — theme».  An image is shown as its description in
brackets, never loaded: a missing file or an address that cannot be reached must not
stop the PDF (and the PDF does not depend on the network).

When the PDF still cannot be made (any error from markdown-it-py or fpdf2), the
Markdown file goes as it is, as ``.md`` (:func:`attachment` logs why): a mailing
never stops for its PDF, and the programme's text is in the mail body anyway.  ``plan check``
tries the PDF of each programme due soon (:func:`pdf_problem`), so the admin learns
of such a file weeks ahead.

The same Markdown gives the plain text shown in the body (:func:`markdown_text`),
split by language where the file has ``## Кыргызча`` and ``## Русский`` sections
(:func:`programme_text`), as the club's programmes do.
"""

from __future__ import annotations

import html as htmllib
import logging
import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Callable

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle
from markdown_it import MarkdownIt

from automation.errors import AutomationError

#: DejaVu Sans as matplotlib ships it (regular, bold, oblique, bold oblique).
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_FONTS = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf",
          "BI": "DejaVuSans-BoldOblique.ttf"}
_MONO = "DejaVuSansMono.ttf"
MARKDOWN_SUFFIXES = (".md", ".markdown")
#: The PDF's creation date: fixed, so the same file gives the same bytes (and the same message) every time.
_CREATED = datetime(2000, 1, 1, tzinfo=timezone.utc)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    """A file as a mail carries it: ``filename`` (``.pdf`` for a Markdown file), MIME type and bytes, and the
    ``charset`` of a text file sent as it is (``utf-8`` for a Markdown file whose PDF could not be made), else None."""

    filename: str
    maintype: str
    subtype: str
    data: bytes
    charset: str | None = None


def is_markdown(path: Path) -> bool:
    """True for a ``.md`` / ``.markdown`` file (rendered to PDF when attached)."""
    return path.suffix.lower() in MARKDOWN_SUFFIXES


def attached_name(path: Path) -> str:
    """The name the recipient sees: ``programme.pdf`` for ``programme.md``, else the file's name."""
    return f"{path.stem}.pdf" if is_markdown(path) else path.name


def attachment(path: Path) -> Attachment:
    """``path`` as an attachment: a Markdown file rendered to PDF (:func:`markdown_pdf`), any other file as it is
    with the MIME type its name suggests.  A Markdown file whose PDF cannot be made goes as it is
    (``text/markdown``, its own name), with a warning in the log.  Raises :class:`AutomationError` when a
    Markdown file cannot be read as UTF-8 text."""
    if is_markdown(path):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise AutomationError(f"{path} is not UTF-8 text ({e}): save it as UTF-8 and run again") from None
        try:
            return Attachment(attached_name(path), "application", "pdf", markdown_pdf(text, path.stem))
        except Exception as e:  # noqa: BLE001 - any failure of the PDF libraries: the file goes as it is
            logger.warning("no PDF of %s (%s: %s); attached as it is, as Markdown", path, type(e).__name__, e)
            return Attachment(path.name, "text", "markdown", text.encode("utf-8"), charset="utf-8")
    ctype, _ = mimetypes.guess_type(path.name)
    maintype, subtype = (ctype or "application/octet-stream").split("/", 1)
    return Attachment(path.name, maintype, subtype, path.read_bytes())


_BR = re.compile(r"<br\s*/?>", re.I)
#: What a ``<br>`` in a table row becomes on its way through markdown-it (a Markdown line break would end the row).
_CELL_BREAK = "\u2028"


def _prepare(text: str, cell_break: str = _CELL_BREAK) -> str:
    """``<br>`` (the only HTML the club's programmes use) as a Markdown hard line break; in a table row
    (a line that begins with ``|``) as ``cell_break``, so the row stays one line."""
    lines = text.replace("\r\n", "\n").split("\n")
    lines = [_BR.sub(cell_break, ln) if ln.lstrip().startswith("|") else ln for ln in lines]
    return re.sub(r"<br\s*/?>[ \t]*\n?", "  \n", "\n".join(lines), flags=re.I)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def markdown_html(text: str) -> str:
    """The Markdown ``text`` as HTML (CommonMark and tables; raw HTML escaped, ``<br>`` a line break)."""
    return _markdown().render(_prepare(text))


_CELL = re.compile(r"<(t[hd])( style=\"[^\"]*\")?>(.*?)</t[hd]>", re.S)
_IMG = re.compile(r"<img\b[^>]*?>", re.S)
_ALT = re.compile(r'\balt="([^"]*)"')
_LINK = re.compile(r'<a\b[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', re.S)


def _image_text(m: re.Match[str]) -> str:
    """An ``<img>`` as its description in brackets (escaped HTML), or "" when it has none."""
    alt = _ALT.search(m.group(0))
    return f"[{alt.group(1)}]" if alt and alt.group(1).strip() else ""


def _cell_text(inner: str) -> str:
    """A cell's HTML as the one text run fpdf2 takes (escaped HTML): links as «text (address)», images as their
    description, other tags dropped, a ``<br>`` a line break, spaces collapsed; wrapped in ``<b>``/``<i>`` when
    the cell begins in bold/italics."""
    body = _IMG.sub(_image_text, inner)

    def link(m: re.Match[str]) -> str:
        label = re.sub(r"<[^>]+>", "", m.group(2))
        href = m.group(1)
        return href if htmllib.unescape(label).strip() in ("", htmllib.unescape(href)) else f"{label} ({href})"

    body = _LINK.sub(link, body)
    body = re.sub(r"<br\s*/?>", _CELL_BREAK, body)
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", body))
    text = "\n".join(" ".join(part.split()) for part in text.split(_CELL_BREAK)).strip()
    out = htmllib.escape(text, quote=False)
    lead = inner.lstrip()
    if out and lead.startswith("<strong>"):
        return f"<b>{out}</b>"
    if out and lead.startswith("<em>"):
        return f"<i>{out}</i>"
    return out


def _shares(weight: list[float], floor: list[float]) -> list[int]:
    """Column widths in whole percent, in proportion to ``weight`` but none below its ``floor`` (percent: its
    longest word), as far as 100 % allows."""
    if sum(floor) >= 100:
        return [round(100 * f / sum(floor)) for f in floor]
    fixed: set[int] = set()
    while True:
        free = 100 - sum(floor[i] for i in fixed)
        rest = sum(w for i, w in enumerate(weight) if i not in fixed)
        share = [floor[i] if i in fixed else free * weight[i] / rest for i in range(len(weight))]
        low = {i for i in range(len(weight)) if i not in fixed and share[i] < floor[i]}
        if not low:
            return [round(x) for x in share]
        fixed |= low


#: Font sizes (pt) a table is tried in, largest first, until every column fits its longest word.
_TABLE_SIZES = (10, 9, 8)


def _fit_tables(html: str, word_width: Callable[[str, float], float] | None = None) -> str:
    """Cells as plain text (:func:`_cell_text`), left-aligned, and column widths (on the first row, as fpdf2
    reads them) after the columns' text: a narrow time column, a wide description.  ``word_width(word, pt)``
    gives a word's width in percent of the line; a column is then kept wide enough for its longest word (fpdf2
    cuts a word that does not fit), in a smaller font (:data:`_TABLE_SIZES`) when the columns need more than
    the line."""
    def table(m: re.Match[str]) -> str:
        body = m.group(0)
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        cells = [[re.sub(r"<[^>]+>", "", c[2]) for c in _CELL.findall(r)] for r in rows]
        n = max((len(r) for r in cells), default=0)
        if not n:
            return body
        weight = [float(min(max((len(r[i]) for r in cells if i < len(r)), default=1), 60) + 4) for i in range(n)]
        words = [[htmllib.unescape(c).replace(_CELL_BREAK, " ").split() for c in r] for r in cells]
        size, floor = _TABLE_SIZES[0], [0.0] * n
        measure = word_width
        if measure is not None:
            for size in _TABLE_SIZES:
                floor = [max([0.0, *(measure(w, size) for r in words if i < len(r) for w in r[i])]) for i in range(n)]
                if sum(floor) <= 100:
                    break
        widths = _shares(weight, floor)
        first = True

        def row(rm: re.Match[str]) -> str:
            nonlocal first
            k = iter(widths if first else [None] * n)
            first = False
            return "<tr>" + _CELL.sub(lambda c: f'<{c[1]} align="left"'
                                      + (f' width="{w}%"' if (w := next(k, None)) else "") + f">{_cell_text(c[3])}</{c[1]}>",
                                      rm.group(1)) + "</tr>"

        body = re.sub(r"<tr>(.*?)</tr>", row, body, flags=re.S)
        return body if size == _TABLE_SIZES[0] else f'<font size="{size}">{body}</font>'

    return re.sub(r"<table>.*?</table>", table, html, flags=re.S)


_STYLES = {
    "h1": TextStyle(color="#1f3a5f", font_size_pt=16, t_margin=4, b_margin=1),
    "h2": TextStyle(color="#1f3a5f", font_size_pt=13, t_margin=4, b_margin=1),
    "h3": TextStyle(color="#1f3a5f", font_size_pt=11.5, t_margin=3, b_margin=1),
    "h4": TextStyle(color="#1f3a5f", font_size_pt=10.5, t_margin=2, b_margin=0.5),
    "h5": TextStyle(color="#1f3a5f", font_size_pt=10, t_margin=2, b_margin=0.5),
    "h6": TextStyle(color="#1f3a5f", font_size_pt=10, t_margin=2, b_margin=0.5),
    "code": FontFace(family="DejaVuMono"),
    "pre": TextStyle(font_family="DejaVuMono", font_size_pt=9, t_margin=2, b_margin=2),
}


@lru_cache(maxsize=16)
def markdown_pdf(text: str, title: str = "") -> bytes:
    """The Markdown ``text`` as an A4 PDF in DejaVu Sans (headings, lists, tables, bold, italics, links, code;
    images as their description).  Pure, so the last few are kept: the draft and the final programme are often
    the same file.  Raises whatever markdown-it-py or fpdf2 raise on a document they cannot handle
    (:func:`attachment` then sends the Markdown as it is; :func:`pdf_problem` says so ahead)."""
    pdf = FPDF(format="A4")
    for style, name in _FONTS.items():
        pdf.add_font("DejaVu", style, str(FONT_DIR / name))
    pdf.add_font("DejaVuMono", "", str(FONT_DIR / _MONO))
    pdf.set_font("DejaVu", size=10)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.set_creation_date(_CREATED)
    if title:
        pdf.set_title(title)
    pdf.add_page()
    def word_width(word: str, size_pt: float) -> float:  # percent of the line; 4 mm for the padding and rules
        pdf.set_font("DejaVu", "B", size=size_pt)  # measured in bold, the widest a cell is printed
        return min(100 * (pdf.get_string_width(word) + 4) / pdf.epw, 45)

    html = _fit_tables(_IMG.sub(_image_text, markdown_html(text)), word_width)
    pdf.set_font("DejaVu", size=10)
    pdf.write_html(html, font_family="DejaVu", tag_styles=_STYLES,
                   table_line_separators=True, li_prefix_color="#1f3a5f")
    return bytes(pdf.output())


def pdf_problem(path: Path) -> str | None:
    """Why the Markdown file ``path`` would not go as PDF (one line for the admin, naming the file and what to
    do), or None when it renders (or is not a Markdown file, or is missing: the caller reports that)."""
    if not is_markdown(path) or not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return f"the file {path} is not UTF-8 text: save it as UTF-8"
    try:
        markdown_pdf(text, path.stem)
    except Exception as e:  # noqa: BLE001 - any failure of the PDF libraries is reported, never raised
        return (f"the file {path} cannot be made into a PDF ({type(e).__name__}: {str(e)[:160]}); it would go as "
                "a .md file, which phones do not open: simplify the part named (a table, an image) or send a PDF")
    return None


# --- plain text ---------------------------------------------------------------

_RULE = re.compile(r"\s*([-*_])(\s*\1){2,}\s*")
_TABLE_SEP = re.compile(r"\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*")


def markdown_text(text: str) -> str:
    """The Markdown ``text`` as plain text for a mail body: no ``#``/``**``/``*``, a table row as its cells joined
    by « — », a link as «text (address)», a rule as a blank line, at most one blank line in a row."""
    out: list[str] = []
    for raw in _prepare(text, "; ").split("\n"):
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
