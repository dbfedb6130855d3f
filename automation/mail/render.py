"""The texts of the club's mails: Jinja2 templates in Kyrgyz and Russian.

One template per mail kind and language lives in ``automation/mail/templates/``
as ``<kind>.<lang>.j2``.  Each extends ``_base.<lang>.j2`` (greeting, body,
signature, the line on how to leave the mailing list) and fills
``{% block subject %}`` and ``{% block body %}``; the event description shared
by several kinds is the macro ``event_block`` of ``_macros.<lang>.j2``.  The
subject block may use the helpers below but not macros (it is rendered on its
own).

Helpers every template gets (bound to the template's language):

* ``t(x)`` – the text of an :class:`~automation.model.I18n`, a ``{ky, ru}``
  dict or a plain string in this language;
* ``when(dt, with_time=True, with_weekday=False, with_year=False)`` – see
  :func:`format_when`;
* ``day(dt)`` – the date only; ``span(start, end)`` – a start–end range;
* ``other_year(dt, ref)`` – true when ``dt`` falls in another year than ``ref``
  (then a template shows the year);
* ``lang``, ``club``, ``participant_name`` (None in a mailing to the whole
  group), ``unsubscribe_word``.

:func:`render_mail` renders one kind in one language (a personal mail in the
participant's language) or in both (a mailing to the whole group: Kyrgyz
first, a separator line, then Russian, in one message: DESIGN.md "mail to the
whole group: 1 send").  The HTML alternative is made from the same text:
escaped, paragraphs kept, links and e-mail addresses made clickable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import jinja2
from babel.dates import format_date, format_time, get_date_format
from markupsafe import Markup, escape

from automation.errors import TemplateError
from automation.mail.form_kinds import form_mail_ctx
from automation.model import BISHKEK, LANGS, I18n, parse_iso, to_utc

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

#: The word a member replies with to leave the club's mailing list (membership
#: is voluntary, DOMAIN.md "The club").  Either word is understood.
UNSUBSCRIBE_WORDS = {"ky": "ЧЫГУУ", "ru": "ОТПИСАТЬСЯ"}

#: The separator between the Kyrgyz and the Russian text of a group mailing.
SEPARATOR = "-" * 40


@dataclass(frozen=True)
class KindSpec:
    """The context keys of a mail kind: ``required`` must be present (their
    value may still be None where the kind allows it); ``optional`` get the
    default shown when absent."""

    required: tuple[str, ...]
    optional: dict[str, Any]


#: Every optional key any kind accepts: ``participant_name`` makes the mail
#: personal ("Саламатсызбы, Айгүл!" instead of the greeting to the group).
#: ``channel`` is ``mail`` or ``telegram`` (the same text posted by the bot: no «reply to this mail», no
#: unsubscribe line; ``telegram_stop`` adds how to stop the bot in a private chat); ``telegram_link`` (a
#: ``t.me/<bot>?start=<code>`` link) adds a line to a personal mail on how to get it in Telegram too.
_COMMON_OPTIONAL: dict[str, Any] = {"participant_name": None, "channel": "mail", "telegram_link": None,
                                    "telegram_stop": False}

#: Mail kinds and their context keys.  ``club`` is :class:`automation.plan.model.Club`,
#: ``event`` :class:`automation.plan.model.Event`; datetimes are aware (UTC; an ISO
#: string is accepted too); texts are :class:`I18n` (or ``{ky, ru}`` dicts).
KINDS: dict[str, KindSpec] = {
    # programme_text: {ky, ru} of mail/documents.programme_text (the attached programme's own text), or None;
    # programme_pdf: False when the attached Markdown could not be made a PDF (it goes as .md; no «(PDF)»)
    "programme_draft": KindSpec(
        ("club", "event", "feedback_deadline"),
        # reply_to None: club.admin_email
        {"programme_url": None, "reply_to": None, "programme_text": None, "programme_pdf": True},
    ),
    "programme_final": KindSpec(("club", "event"), {"programme_url": None, "programme_text": None,
                                                    "programme_pdf": True}),
    "prepare_notice": KindSpec(("club", "event", "prepare"), {"link": None}),  # link None: event.link
    "materials": KindSpec(
        ("club", "event", "materials"),  # materials: [{title, url, attached, filename}]
        {"homework_title": None, "homework_deadline": None},
    ),
    # forms: [{kind, title, url, deadline, pre_test}] (kind: the label of form_kinds.kind_label); event_title
    # None for a survey outside any event.  ``about`` (what the subject names) and each item's ``label`` are added.
    "form_invitation": KindSpec(("club", "event_title", "forms"), {}),
    "form_reminder": KindSpec(("club", "event_title", "forms"), {}),
    # forms: [{kind, title, responses, invited, summary_lines}] (invited None: nobody was invited by name)
    "form_closed": KindSpec(("club", "event_title", "forms"), {}),
    # her own test result (personal): post, pre {score, max} as text or None; wrong [{title, yours, correct}]
    # (texts I18n or {ky, ru}) of the post-test, or of the pre-test (wrong_of "pre") when she took only that;
    # gain: post minus pre as text when she improved
    "test_result": KindSpec(("club", "event_title", "post", "pre", "wrong"), {"wrong_of": "post", "gain": None}),
    "tea_talk": KindSpec(
        ("club", "talk_at", "link"), {"duration_minutes": 60, "topic": None, "questions_form_url": None}
    ),
    "homework_reminder": KindSpec(("club", "event", "homework_title", "homework_deadline"), {}),
    "admin_summary": KindSpec(("club", "period_start", "period_end", "lines"), {}),
}


# --- dates -------------------------------------------------------------------


def _local(dt: datetime | str) -> datetime:
    if isinstance(dt, str):
        dt = parse_iso(dt)
    if not isinstance(dt, datetime):
        raise TypeError(f"expected a datetime, found {dt!r}")
    return to_utc(dt).astimezone(BISHKEK)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGS)})")


def format_when(dt: datetime, lang: str, with_time: bool = True, with_weekday: bool = False,
                with_year: bool = False) -> str:
    """``dt`` (aware, any zone; naive is taken as Bishkek time) as people write it, in Bishkek time.

    ky: ``11-декабрь, саат 17:00``; with the weekday ``жекшемби, 11-декабрь, саат 17:00``;
    with the year ``2022-ж., 11-декабрь, саат 17:00``.
    ru: ``11 декабря, 17:00``; ``воскресенье, 11 декабря, 17:00``; ``11 декабря 2022 г., 17:00``.
    Month and weekday names and the year pattern come from Babel (CLDR).
    """
    _check_lang(lang)
    d = _local(dt)
    if with_year:
        pattern = get_date_format("long", locale=lang).pattern  # ky "y-'ж'., d-MMMM", ru "d MMMM y 'г'."
    else:
        pattern = "d-MMMM" if lang == "ky" else "d MMMM"
    text = format_date(d.date(), pattern, locale=lang)
    if with_weekday:
        text = f"{format_date(d.date(), 'EEEE', locale=lang)}, {text}"
    if with_time:
        hm = format_time(d.time(), "HH:mm", locale=lang)
        text = f"{text}, саат {hm}" if lang == "ky" else f"{text}, {hm}"
    # CLDR puts a narrow no-break space before "г."; plain spaces read the same and match a search.
    return text.replace("\u202f", " ").replace("\xa0", " ")


def format_span(start: datetime, end: datetime, lang: str, with_weekday: bool = True) -> str:
    """A start–end range: ``жекшемби, 11-декабрь, саат 17:00–19:00`` / ``воскресенье, 11 декабря, 17:00–19:00``;
    on different days ``11-декабрь, саат 09:00 – 12-декабрь, саат 17:00``."""
    s, e = _local(start), _local(end)
    if s.date() == e.date():
        return f"{format_when(s, lang, with_weekday=with_weekday)}–{format_time(e.time(), 'HH:mm', locale=lang)}"
    return f"{format_when(s, lang, with_weekday=with_weekday)} – {format_when(e, lang, with_weekday=with_weekday)}"


# --- rendering ---------------------------------------------------------------


@dataclass
class RenderedMail:
    """One rendered mail: ``subject`` (one line), ``text`` (the plain-text body) and ``html`` (its HTML twin)."""
    subject: str
    text: str
    html: str


@lru_cache(maxsize=4)
def _env(directory: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def _text_of(x: Any, lang: str) -> str:
    if x is None:
        return ""
    if isinstance(x, I18n):
        return x.get(lang)
    if isinstance(x, dict):
        if lang in x:
            return str(x[lang])
        raise KeyError(f"text {x!r} has no {lang!r} version")
    return str(x)  # a str; a StrictUndefined raises here


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut at the last word boundary within ``limit`` characters, with «…» when cut (a subject line:
    a phone's inbox shows about 40 characters of it)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:—-") + "…"


def _helpers(lang: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "t": lambda x: _text_of(x, lang),
        "short": lambda x, limit=60: shorten(_text_of(x, lang), limit),
        "when": lambda dt, **kw: format_when(dt, lang, **kw),
        "day": lambda dt, **kw: format_when(dt, lang, with_time=False, **kw),
        "span": lambda a, b, **kw: format_span(a, b, lang, **kw),
        "plus_minutes": lambda dt, m: _local(dt) + timedelta(minutes=int(m)),
        "other_year": lambda dt, ref: _local(dt).year != _local(ref).year,
        "unsubscribe_word": UNSUBSCRIBE_WORDS[lang],
    }


def _tidy(text: str) -> str:
    lines = [ln.rstrip() for ln in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _normalise_langs(langs: Sequence[str]) -> list[str]:
    if isinstance(langs, str):
        langs = (langs,)
    bad = [x for x in langs if x not in LANGS]
    if not langs or bad or len(set(langs)) != len(langs):
        raise TemplateError("render_mail", [f"langs must be ('ky',), ('ru',) or ('ky', 'ru'), found {tuple(langs)!r}"])
    return [x for x in LANGS if x in langs]  # Kyrgyz first


def _prepare_ctx(kind: str, ctx: dict[str, Any]) -> dict[str, Any]:
    if kind not in KINDS:
        raise TemplateError(f"mail kind {kind!r}", [f"unknown mail kind {kind!r} (known: {', '.join(KINDS)})"])
    spec = KINDS[kind]
    missing = [k for k in spec.required if k not in ctx]
    if missing:
        raise TemplateError(
            f"mail kind {kind!r}",
            [f"missing context key {k!r} (required: {', '.join(spec.required)})" for k in missing],
        )
    out = {**_COMMON_OPTIONAL, **spec.optional, **ctx}
    if kind == "programme_draft" and not out["reply_to"]:
        out["reply_to"] = out["club"].admin_email
    if kind == "prepare_notice" and not out["link"]:
        out["link"] = out["event"].link
    if kind in ("form_invitation", "form_reminder", "form_closed"):
        try:
            out.update(form_mail_ctx(out["forms"], out["event_title"]))
        except (KeyError, TypeError) as e:
            raise TemplateError(f"mail kind {kind!r}", [f"a form of 'forms' lacks {e} (each needs kind and "
                                                        "title)"]) from None
    return out


def _render_one(kind: str, lang: str, ctx: dict[str, Any], directory: str) -> tuple[str, str]:
    name = f"{kind}.{lang}.j2"
    try:
        tmpl = _env(directory).get_template(name)
        vars_ = {**ctx, **_helpers(lang)}
        if "subject" not in tmpl.blocks:
            raise TemplateError(f"mail/templates/{name}", ["no {% block subject %}"])
        subject = "".join(tmpl.blocks["subject"](tmpl.new_context(vars_)))
        text = tmpl.render(vars_)
    except jinja2.TemplateNotFound as e:
        raise TemplateError(f"mail/templates/{name}", [f"template not found: {e.name}"]) from None
    except jinja2.TemplateSyntaxError as e:
        raise TemplateError(f"mail/templates/{e.filename or name}", [f"line {e.lineno}: {e.message}"]) from None
    except jinja2.UndefinedError as e:
        raise TemplateError(
            f"mail/templates/{name}",
            [f"a value the template needs is missing: {e.message} (context keys given: {', '.join(sorted(ctx))})"],
        ) from None
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise TemplateError(f"mail/templates/{name}", [f"bad value in the context: {e}"]) from None
    return " ".join(subject.split()), _tidy(text)


# --- HTML --------------------------------------------------------------------

_LINK_RE = re.compile(r"(https?://[^\s<>\"«»]+)|([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
_TRAILING = ".,;:!?)]}'"


def _linkify(line: str) -> Markup:
    """Escape a line of text; links and e-mail addresses become ``<a>``."""
    out: list[str] = []
    pos = 0
    for m in _LINK_RE.finditer(line):
        url, email = m.group(1), m.group(2)
        token, end = (url or email), m.end()
        if url:
            while token and token[-1] in _TRAILING:
                token, end = token[:-1], end - 1
        out.append(str(escape(line[pos:m.start()])))
        href = token if url else f"mailto:{token}"
        out.append(f'<a href="{escape(href)}" style="color:#0b57d0;">{escape(token)}</a>')
        pos = end
    out.append(str(escape(line[pos:])))
    return Markup("".join(out))


def _paragraphs(text: str) -> list[Markup]:
    paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return [Markup("<br>\n").join(_linkify(ln) for ln in p.splitlines()) for p in paras]


def _html(subject: str, sections: list[tuple[str, str]], directory: str) -> str:
    tmpl = _env(directory).get_template("_layout.html.j2")
    return tmpl.render(
        subject=subject,
        sections=[{"lang": lang, "paragraphs": _paragraphs(text)} for lang, text in sections],
    )


def render_mail(kind: str, langs: Sequence[str], ctx: dict[str, Any],
                templates_dir: str | Path | None = None) -> RenderedMail:
    """Render mail ``kind`` (a key of :data:`KINDS`) with ``ctx``.

    ``langs`` ``("ky",)`` or ``("ru",)``: a personal mail in that language;
    ``("ky", "ru")``: one message for the whole group, Kyrgyz first, then a
    separator line, then Russian; subject ``"<ky> / <ru>"``.
    Raises :class:`TemplateError` on an unknown kind, a missing context key, a
    value the template needs that is missing, or a broken template.
    """
    order = _normalise_langs(langs)
    full = _prepare_ctx(kind, ctx)
    directory = str(Path(templates_dir) if templates_dir else TEMPLATE_DIR)
    parts = [(lang, *_render_one(kind, lang, full, directory)) for lang in order]
    subjects: list[str] = []
    for _, s, _ in parts:
        if s not in subjects:
            subjects.append(s)
    subject = " / ".join(subjects)
    text = f"\n{SEPARATOR}\n\n".join(t for _, _, t in parts)
    try:
        html = _html(subject, [(lang, t) for lang, _, t in parts], directory)
    except jinja2.TemplateError as e:
        raise TemplateError("mail/templates/_layout.html.j2", [str(e)]) from None
    return RenderedMail(subject=subject, text=text, html=html)


def check_templates(templates_dir: str | Path | None = None) -> list[str]:
    """Problems with the mail templates (a missing or unparsable file, a missing block); [] when all is well."""
    directory = str(Path(templates_dir) if templates_dir else TEMPLATE_DIR)
    env = _env(directory)
    problems: list[str] = []
    for kind in KINDS:
        for lang in LANGS:
            name = f"{kind}.{lang}.j2"
            try:
                tmpl = env.get_template(name)
            except jinja2.TemplateNotFound:
                problems.append(f"{name}: missing")
                continue
            except jinja2.TemplateSyntaxError as e:
                problems.append(f"{e.filename or name}: line {e.lineno}: {e.message}")
                continue
            for block in ("subject", "body"):
                if block not in tmpl.blocks:
                    problems.append(f"{name}: no {{% block {block} %}}")
    return problems
