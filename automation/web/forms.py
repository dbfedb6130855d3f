"""The local backend's web forms: the pages participants fill on their phones.

``create_app(store)`` returns a Flask app; ``python main.py serve`` runs it on
127.0.0.1:8080 unless told otherwise.  Every response goes through
:meth:`LocalForms.submit`, so it lands in the same ``responses`` table as
Google responses (``source='local'``) and flows through sync, analysis and
reports unchanged.

Routes
======
``GET/POST /t/<token>``      personal link (``form_links.token``): one response per
                             token, pre-filled with her previous answers and
                             editable until the deadline.
``GET /t/<token>/done``      thank-you page.
``GET/POST /f/<external_id>`` the form's public link, only where the template says
                             ``anonymous_allowed`` or the plan ``audience: public``;
                             every submission is a new anonymous response.
``GET /f/<external_id>/done`` thank-you page.
``GET /``                    a neutral page (no list of forms: links are the only
                             way in).

Language: ``?lang=ky|ru`` (or the form field ``lang``), else the participant's
roster language, else Kyrgyz.  The switch on the page re-renders the same page
in the other language with the answers typed so far (nothing is saved).

Pages: every section of the template is a ``<section class="page">``; with
JavaScript the participant sees one at a time with Next/Back (answers stay in
the one HTML form, nothing is lost between pages); without JavaScript the form
is one long page.  The server validates the whole response with
:func:`automation.forms.answers.check_answers` and re-renders it with a message in
her language next to each problem (and opens the first page with a problem).

Safety
======
- CSRF: the session cookie (signed by Flask, ``SameSite=Lax``, ``HttpOnly``)
  holds a random nonce; each rendered form carries an itsdangerous-signed token
  of (nonce, link) valid :data:`CSRF_MAX_AGE` seconds.  A POST whose token is
  missing, forged, expired, for another link, or whose cookie lacks the nonce,
  saves nothing and gets her answers back with a message (HTTP 400).
- Limits: ``MAX_CONTENT_LENGTH`` (:data:`MAX_REQUEST_BYTES`), Werkzeug's
  per-field and field-count limits, text answers by their template limits
  (``max_chars``/``max_words``, else 1000/20000 characters — answers.py), an
  "other" text by :data:`OTHER_MAX_CHARS`; control characters are removed
  (they would break the .xlsx workbooks).
- Output: Jinja2 autoescaping; a strict Content-Security-Policy (no inline
  script), ``Referrer-Policy: no-referrer`` (links carry tokens),
  ``Cache-Control: no-store``.
- ``serve`` binds to 127.0.0.1 unless ``--host`` says otherwise.

Threads: a :class:`Store` connection belongs to the thread that opened it, so
a request served on another thread opens its own connection to the same file
(an in-memory store can only be served on its own thread, e.g. by Flask's
test client).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import secrets
import sqlite3
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable

from flask import Flask, abort, g, redirect, render_template, request, session, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

from automation.forms.answers import check_answers, word_count
from automation.errors import AutomationError
from automation.model import BISHKEK, LANGS, FormSpec, Option, Question, form_spec_from_json, parse_iso, utc_now
from automation.store import Store
from automation.workspace.local.forms import FormClosed, InvalidResponse, LocalForms, UnknownLink

__all__ = ["create_app", "serve", "load_secret_key", "CSRF_MAX_AGE", "MAX_REQUEST_BYTES", "OTHER_MAX_CHARS"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

#: Seconds a rendered form stays valid for submission (a participant may keep it open all day).
CSRF_MAX_AGE = 2 * 24 * 3600
#: Largest request body accepted (HTTP 413 beyond).  A 20,000-character Cyrillic
#: answer is about 240 KB form-encoded.
MAX_REQUEST_BYTES = 1024 * 1024
#: Largest single form field (Werkzeug's ``max_form_memory_size``).
MAX_FIELD_BYTES = 512 * 1024
#: Most form fields in one request.
MAX_FIELDS = 2000
#: Longest "other" text of a choice question.
OTHER_MAX_CHARS = 500
#: The value of the "other" radio button / checkbox.
OTHER = "__other__"

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_SID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_INT_RE = re.compile(r"^[+-]?\d{1,6}$")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DMY_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")

# --- texts -------------------------------------------------------------------

#: Everything the pages say, in Kyrgyz and Russian.
TEXTS: dict[str, dict[str, str]] = {
    "ky": {
        "lang_name": "Кыргызча",
        "required_note": "* белгиленген суроолорго жооп берүү милдеттүү",
        "deadline": "Жооптор {deadline} чейин кабыл алынат (Бишкек убактысы).",
        "already": "Сиз бул форманы {when} толтургансыз. Жоопторуңузду өзгөртүп, кайра сактай аласыз.",
        "step": "Бөлүм {i} / {n}",
        "next": "Кийинки",
        "back": "Артка",
        "send": "Жөнөтүү",
        "save": "Өзгөртүүлөрдү сактоо",
        "choose": "— Тандаңыз —",
        "other": "Башка:",
        "other_placeholder": "Жообуңузду жазыңыз",
        "words": "сөз",
        "chars": "белги",
        "date_hint": "Мисалы: 25.01.1990",
        "errors_title": "Жоопторуңуз сакталган жок. Белгиленген суроолорду текшериңиз:",
        "csrf": "Барак көп убакыт ачык турду же башка жерден жөнөтүлдү, ошондуктан жооптор сакталган жок. "
                "Жоопторуңузду текшерип, «Жөнөтүү» баскычын кайра басыңыз.",
        "thanks_title": "Рахмат!",
        "thanks": "Жоопторуңуз сакталды.",
        "thanks_edit": "Жоопторуңузду {deadline} чейин ушул эле шилтеме аркылуу өзгөртө аласыз.",
        "edit_link": "Жоопторду өзгөртүү",
        "closed_title": "Форма жабылды",
        "closed_deadline": "Жооп кабыл алуу {deadline} бүткөн (Бишкек убактысы).",
        "closed": "Бул форма мындан ары жооп кабыл албайт.",
        "closed_answered": "Сиздин жоопторуңуз {when} кабыл алынган. Рахмат!",
        "personal_only_title": "Жеке шилтеме керек",
        "personal_only": "Бул форма жеке шилтемелер аркылуу гана толтурулат. Чакыруу катыңыздагы шилтемени ачыңыз.",
        "not_found_title": "Шилтеме табылган жок",
        "not_found": "Мындай шилтеме жок. Шилтеме толугу менен көчүрүлгөнүн текшериңиз.",
        "too_large_title": "Жооптор өтө чоң",
        "too_large": "Жөнөтүлгөн жооптордун көлөмү өтө чоң. Артка кайтып, узун жоопторду кыскартыңыз.",
        "error_title": "Ката кетти",
        "error": "Бир нерсе туура эмес болуп калды. Бир аздан кийин кайра аракет кылыңыз.",
        "index_title": "Клубдун формалары",
        "index": "Форманы толтуруу үчүн чакыруу катыңыздагы шилтемени ачыңыз.",
    },
    "ru": {
        "lang_name": "Русский",
        "required_note": "* — обязательные вопросы",
        "deadline": "Ответы принимаются до {deadline} (время Бишкека).",
        "already": "Вы уже заполнили эту форму {when}. Можно изменить ответы и сохранить их снова.",
        "step": "Раздел {i} из {n}",
        "next": "Далее",
        "back": "Назад",
        "send": "Отправить",
        "save": "Сохранить изменения",
        "choose": "— Выберите —",
        "other": "Другое:",
        "other_placeholder": "Впишите свой ответ",
        "words": "слов",
        "chars": "знаков",
        "date_hint": "Например: 25.01.1990",
        "errors_title": "Ответы не сохранены. Проверьте отмеченные вопросы:",
        "csrf": "Страница была открыта слишком долго или отправлена не отсюда, поэтому ответы не сохранены. "
                "Проверьте ответы и нажмите «Отправить» ещё раз.",
        "thanks_title": "Спасибо!",
        "thanks": "Ваши ответы сохранены.",
        "thanks_edit": "Изменить ответы можно по этой же ссылке до {deadline}.",
        "edit_link": "Изменить ответы",
        "closed_title": "Форма закрыта",
        "closed_deadline": "Приём ответов завершился {deadline} (время Бишкека).",
        "closed": "Эта форма больше не принимает ответы.",
        "closed_answered": "Ваши ответы получены {when}. Спасибо!",
        "personal_only_title": "Нужна личная ссылка",
        "personal_only": "Эту форму заполняют только по личным ссылкам. Откройте ссылку из письма-приглашения.",
        "not_found_title": "Ссылка не найдена",
        "not_found": "Такой ссылки нет. Проверьте, что ссылка скопирована полностью.",
        "too_large_title": "Слишком большой объём",
        "too_large": "Ответы слишком большие. Вернитесь назад и сократите длинные ответы.",
        "error_title": "Произошла ошибка",
        "error": "Что-то пошло не так. Попробуйте ещё раз через несколько минут.",
        "index_title": "Формы Клуба",
        "index": "Чтобы заполнить форму, откройте ссылку из письма-приглашения.",
    },
}

#: A message for each problem code of :func:`automation.forms.answers.check_answer`
#: (plus ``required_grid`` and ``other_empty`` of this module).
PROBLEMS: dict[str, dict[str, str]] = {
    "ky": {
        "required": "Бул суроого жооп бериңиз.",
        "required_grid": "Ар бир сапта бир жоопту тандаңыз.",
        "not_an_option": "Сунушталган варианттардын бирин тандаңыз.",
        "out_of_range": "{low}–{high} аралыгындагы маанини тандаңыз.",
        "too_many_words": "Өтө көп сөз: {max} сөздөн ашпашы керек (азыр {n}).",
        "too_long": "Жооп өтө узун: {max} белгиден ашпашы керек (азыр {n}).",
        "bad_date": "Датаны туура жазыңыз, мисалы 25.01.1990.",
        "bad_type": "Бул жоопту текшериңиз.",
        "unknown_question": "Бул суроо формада жок.",
        "other_empty": "«Башка» жообуңузду жазыңыз.",
    },
    "ru": {
        "required": "Ответьте на этот вопрос.",
        "required_grid": "Выберите ответ в каждой строке.",
        "not_an_option": "Выберите один из предложенных вариантов.",
        "out_of_range": "Выберите значение от {low} до {high}.",
        "too_many_words": "Слишком много слов: не более {max} (сейчас {n}).",
        "too_long": "Слишком длинный ответ: не более {max} знаков (сейчас {n}).",
        "bad_date": "Укажите дату, например 25.01.1990.",
        "bad_type": "Проверьте этот ответ.",
        "unknown_question": "Такого вопроса нет в форме.",
        "other_empty": "Впишите свой вариант в поле «Другое».",
    },
}


def text_limit(q: Question) -> int:
    """Most characters a text answer may have (the rule of :func:`automation.forms.answers.check_answer`)."""
    return q.max_chars or (20000 if q.kind == "long_text" else 1000)


def problem_message(q: Question, code: str, lang: str, value: Any = None) -> str:
    """The participant-facing message for a problem ``code`` of question ``q``."""
    msgs = PROBLEMS[lang]
    if code == "required" and q.kind == "grid":
        code = "required_grid"
    if code == "out_of_range" and q.scale:
        return msgs[code].format(low=q.scale.low, high=q.scale.high)
    if code == "too_many_words":
        return msgs[code].format(max=q.max_words, n=word_count(value if isinstance(value, str) else ""))
    if code == "too_long":
        if q.kind in ("short_text", "long_text"):
            n = len(value) if isinstance(value, str) else 0
            return msgs[code].format(max=text_limit(q), n=n)
        other = value.get("other", "") if isinstance(value, dict) else ""
        return msgs[code].format(max=OTHER_MAX_CHARS, n=len(other))
    return msgs.get(code, msgs["bad_type"])


def _when(text_or_dt: str | datetime) -> str:
    dt = parse_iso(text_or_dt) if isinstance(text_or_dt, str) else text_or_dt
    return dt.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")


# --- answers <-> form fields ---------------------------------------------------
#
# "values" is what the page shows, per question id:
#   single_choice/dropdown: {"choice": option id | OTHER | None, "other": str}
#   multiple_choice:        {"choices": [option ids, OTHER], "other": str}
#   grid:                   {row id: column id}
#   scale, short/long text, date: str (as typed)


def _clean(text: str) -> str:
    return _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def values_from_answers(spec: FormSpec, answers: dict[str, Any]) -> dict[str, Any]:
    """Page values of a stored response (for editing)."""
    vals: dict[str, Any] = {}
    for q in spec.questions:
        a = answers.get(q.id)
        if a is None:
            continue
        ids = {o.id for o in q.options}
        if q.kind in ("single_choice", "dropdown"):
            if isinstance(a, str) and a in ids:
                vals[q.id] = {"choice": a, "other": ""}
            elif q.other:
                vals[q.id] = {"choice": OTHER, "other": str(a)}
        elif q.kind == "multiple_choice":
            items = a if isinstance(a, list) else [a]
            others = [str(x) for x in items if x not in ids]
            vals[q.id] = {"choices": [x for x in items if x in ids] + ([OTHER] if others else []),
                          "other": ", ".join(others)}
        elif q.kind == "grid":
            vals[q.id] = {str(k): str(v) for k, v in a.items()} if isinstance(a, dict) else {}
        else:
            vals[q.id] = str(a)
    return vals


def values_from_form(spec: FormSpec, form: Any) -> dict[str, Any]:
    """Page values of a POSTed form (``request.form``); unknown fields are ignored."""
    vals: dict[str, Any] = {}
    for q in spec.questions:
        name = f"q.{q.id}"
        if q.kind in ("single_choice", "dropdown"):
            vals[q.id] = {"choice": form.get(name) or None, "other": _clean(form.get(name + ".other", ""))}
        elif q.kind == "multiple_choice":
            vals[q.id] = {"choices": form.getlist(name), "other": _clean(form.get(name + ".other", ""))}
        elif q.kind == "grid":
            vals[q.id] = {r.id: form.get(f"{name}.{r.id}") for r in q.rows if form.get(f"{name}.{r.id}")}
        else:
            vals[q.id] = _clean(form.get(name, ""))
    return vals


def _parse_date(text: str) -> str:
    """``YYYY-MM-DD`` (from a date picker) or ``DD.MM.YYYY`` (typed) → ISO; anything else is returned as is."""
    m = _DMY_RE.match(text)
    if m:
        try:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        except ValueError:
            return text
    return text


def answers_from_values(spec: FormSpec, vals: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Answers in the conventions of :mod:`automation.forms.answers`, and the problems found.

    Problems come from :func:`check_answers`, plus: a choice that is not an
    option (``not_an_option``), "other" ticked with no text (``other_empty``),
    an "other" text over :data:`OTHER_MAX_CHARS` (``too_long``).
    """
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for q in spec.questions:
        v = vals.get(q.id)
        if v is None:
            continue
        ids = [o.id for o in q.options]
        if q.kind in ("single_choice", "dropdown", "multiple_choice"):
            other = v["other"] if q.other else ""
            if len(other) > OTHER_MAX_CHARS:
                problems[q.id] = "too_long"
            if q.kind == "multiple_choice":
                chosen = v["choices"]
                if any(c not in ids and c != OTHER for c in chosen):
                    problems.setdefault(q.id, "not_an_option")
                picked: list[str] = [i for i in ids if i in chosen]
                if q.other and OTHER in chosen and not other:
                    problems.setdefault(q.id, "other_empty")
                if other:  # typing next to "other" counts as choosing it (the page ticks it too)
                    picked.append(other)
                if picked:
                    answers[q.id] = picked
            else:
                choice = v["choice"]
                if choice in ids:
                    answers[q.id] = choice
                elif q.other and choice in (OTHER, None) and other:
                    answers[q.id] = other
                elif q.other and choice == OTHER:
                    problems.setdefault(q.id, "other_empty")
                elif choice not in (None, OTHER):
                    problems.setdefault(q.id, "not_an_option")
        elif q.kind == "grid":
            if v:
                answers[q.id] = dict(v)
        elif q.kind == "scale":
            if v:
                answers[q.id] = int(v) if _INT_RE.match(v) else v
        elif q.kind == "date":
            if v:
                answers[q.id] = _parse_date(v)
        elif v:
            answers[q.id] = v
    for qid, code in check_answers(spec, answers).items():
        problems.setdefault(qid, code)
    return answers, problems


# --- the store, read directly ------------------------------------------------------


def previous_response(store: Store, form_key: str, participant_id: str) -> sqlite3.Row | None:
    """Her latest response to the form (``response_id``, ``answers_json``, ``submitted_at``), or None."""
    return store.db.execute(
        "SELECT response_id, answers_json, submitted_at FROM responses WHERE form_key = ? AND participant_id = ?"
        " ORDER BY submitted_at DESC LIMIT 1", (form_key, participant_id)).fetchone()


def load_secret_key(path: str | Path) -> bytes:
    """The app's signing key, kept in ``path`` (made with mode 0600 the first time).

    Kept across restarts so that pages open on phones stay valid.
    """
    p = Path(path)
    if p.exists():
        key = p.read_bytes().strip()
        if len(key) >= 32:
            return key
    p.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


# --- the app -------------------------------------------------------------------------


class _Link:
    """A resolved link: the form row, its spec, and whose link it is."""

    def __init__(self, kind: str, token: str, form: sqlite3.Row, pid: str | None):
        self.kind, self.token, self.form, self.pid = kind, token, form, pid
        self.spec = form_spec_from_json(json.loads(form["spec_json"]))

    @property
    def public(self) -> bool:
        return self.pid is None

    def endpoint(self, done: bool = False) -> str:
        return ("personal" if self.kind == "t" else "public") + ("_done" if done else "")

    def url(self, done: bool = False, **kw: Any) -> str:
        arg = {"token": self.token} if self.kind == "t" else {"external_id": self.token}
        return url_for(self.endpoint(done), **arg, **kw)


class _PersonalOnly(Exception):
    pass


def create_app(store: Store, *, clock: Callable[[], datetime] = utc_now, secret_key: bytes | str | None = None,
               base_url: str = "") -> Flask:
    """The web forms as a Flask app serving the forms of ``store``.

    ``clock`` returns the current time (UTC, aware) — the deadline check uses
    it; ``secret_key`` signs the session cookie and the CSRF tokens (a random
    one when None: pages opened before a restart then ask to press Send again;
    ``serve`` keeps one in a file, see :func:`load_secret_key`).
    """
    app = Flask(__name__, template_folder=str(TEMPLATES_DIR), static_folder=str(TEMPLATES_DIR / "static"),
                static_url_path="/static")
    app.config.update(
        SECRET_KEY=secret_key or secrets.token_hex(32),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_FIELD_BYTES,
        MAX_FORM_PARTS=MAX_FIELDS,
        SESSION_COOKIE_NAME="club_forms",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        TEMPLATES_AUTO_RELOAD=False,
    )
    app.jinja_env.autoescape = True  # every template, whatever its extension
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="club-forms-csrf")
    home = threading.get_ident()

    def db_store() -> Store:
        if "store" not in g:
            if threading.get_ident() == home or store.path == ":memory:":
                g.store = store
            else:
                g.store, g.own_store = Store(store.path), True
        return g.store

    @app.teardown_appcontext
    def _close(exc: BaseException | None) -> None:
        if g.pop("own_store", False):
            g.pop("store").close()

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        if resp.mimetype == "text/html":
            resp.headers["Cache-Control"] = "no-store"
        return resp

    # --- helpers -------------------------------------------------------------------
    def resolve(kind: str, token: str) -> _Link:
        if not _TOKEN_RE.match(token):
            abort(404)
        s = db_store()
        if kind == "t":
            row = s.db.execute("SELECT * FROM form_links WHERE token = ?", (token,)).fetchone()
            form = s.form(row["form_key"]) if row else None
            if form is None:
                abort(404)
            return _Link(kind, token, form, row["participant_id"])
        form = s.db.execute("SELECT * FROM forms WHERE external_id = ? AND backend = 'local'", (token,)).fetchone()
        if form is None:
            abort(404)
        link = _Link(kind, token, form, None)
        if not (link.spec.anonymous_allowed or form["audience"] == "public"):
            raise _PersonalOnly()
        return link

    def choose_lang(link: _Link | None, override: str | None = None) -> str:
        for cand in (override, request.values.get("lang")):
            if cand in LANGS:
                return cand  # type: ignore[return-value]
        if link is not None and link.pid:
            p = db_store().participant(link.pid)
            if p and p.language in LANGS:
                return p.language
        return "ky"

    def is_closed(link: _Link) -> bool:
        return link.form["status"] != "open" or clock() > parse_iso(link.form["deadline"])

    def csrf_token(link: _Link) -> str:
        if not isinstance(session.get("csrf"), str):
            session["csrf"] = secrets.token_urlsafe(16)
        return signer.dumps({"n": session["csrf"], "l": link.token})

    def csrf_ok(link: _Link) -> bool:
        try:
            data = signer.loads(request.form.get("csrf_token", ""), max_age=CSRF_MAX_AGE)
        except BadData:
            return False
        nonce = session.get("csrf")
        return (isinstance(data, dict) and isinstance(nonce, str) and data.get("l") == link.token
                and secrets.compare_digest(str(data.get("n", "")), nonce))

    def message_page(status: int, title_key: str, body_keys: list[tuple[str, dict]], lang: str | None,
                     link_text: str | None = None, link_url: str | None = None):
        """A page with a title and paragraphs; ``lang`` None shows Kyrgyz and Russian both."""
        langs = [lang] if lang else list(LANGS)
        blocks = [{"lang": lg, "title": TEXTS[lg][title_key],
                   "paras": [TEXTS[lg][k].format(**kw) for k, kw in body_keys]} for lg in langs]
        return render_template("message.html", lang=lang or "ky", blocks=blocks, link_text=link_text,
                               link_url=link_url), status

    def closed_page(link: _Link, lang: str):
        paras: list[tuple[str, dict]] = []
        if clock() > parse_iso(link.form["deadline"]):
            paras.append(("closed_deadline", {"deadline": _when(link.form["deadline"])}))
        else:
            paras.append(("closed", {}))
        if link.pid:
            prev = previous_response(db_store(), link.form["form_key"], link.pid)
            if prev:
                paras.append(("closed_answered", {"when": _when(prev["submitted_at"])}))
        return message_page(410, "closed_title", paras, lang)

    def sections_view(link: _Link) -> list[dict[str, Any]]:
        out = []
        for s in link.spec.sections:
            qs = []
            for q in link.spec.questions:
                if q.section != s.id:
                    continue
                opts: list[Option] = list(q.options)
                if q.shuffle:  # the same order every time this link is opened
                    random.Random(f"{link.token}|{q.id}").shuffle(opts)
                qs.append({"q": q, "options": opts})
            if qs:
                out.append({"section": s, "questions": qs})
        return out

    def render_form(link: _Link, lang: str, values: dict[str, Any], problems: dict[str, str], *,
                    page: int = 0, banner: str | None = None, status: int = 200, sid: str | None = None):
        sections = sections_view(link)
        if problems:  # open the first page with a problem
            for i, sv in enumerate(sections):
                if any(x["q"].id in problems for x in sv["questions"]):
                    page = i
                    break
        page = max(0, min(page, len(sections) - 1))
        prev = previous_response(db_store(), link.form["form_key"], link.pid) if link.pid else None
        messages = {qid: problem_message(link.spec.question(qid), code, lang, values.get(qid))
                    for qid, code in problems.items() if qid in {q.id for q in link.spec.questions}}
        t = TEXTS[lang]
        return render_template(
            "form.html", lang=lang, t=t, spec=link.spec, sections=sections, values=values, messages=messages,
            page=page, banner=banner, link=link, action_url=link.url(), csrf_token=csrf_token(link),
            sid=sid or secrets.token_urlsafe(16), OTHER=OTHER, text_limit=text_limit, word_count=word_count,
            other_max=OTHER_MAX_CHARS, langs=[(lg, TEXTS[lg]["lang_name"]) for lg in LANGS],
            deadline=_when(link.form["deadline"]),
            already=t["already"].format(when=_when(prev["submitted_at"])) if prev else None,
            js_messages={"required": PROBLEMS[lang]["required"], "required_grid": PROBLEMS[lang]["required_grid"],
                         "too_many_words": PROBLEMS[lang]["too_many_words"],
                         "other_empty": PROBLEMS[lang]["other_empty"]},
        ), status

    # --- routes ----------------------------------------------------------------------
    def form_view(kind: str, token: str):
        try:
            link = resolve(kind, token)
        except _PersonalOnly:
            return message_page(403, "personal_only_title", [("personal_only", {})], choose_lang(None))
        if request.method == "GET":
            lang = choose_lang(link)
            if is_closed(link):
                return closed_page(link, lang)
            values: dict[str, Any] = {}
            if link.pid:
                prev = previous_response(db_store(), link.form["form_key"], link.pid)
                if prev:
                    values = values_from_answers(link.spec, json.loads(prev["answers_json"]))
            return render_form(link, lang, values, {})

        action = request.form.get("action", "submit")
        lang = choose_lang(link, action[5:] if action.startswith("lang:") else None)
        if is_closed(link):
            return closed_page(link, lang)
        values = values_from_form(link.spec, request.form)
        page = int(request.form["page"]) if (request.form.get("page") or "").isdigit() else 0
        sid = request.form.get("sid", "")
        sid = sid if _SID_RE.match(sid) else None
        if action.startswith("lang:"):  # the language switch: same page, same answers, nothing saved
            return render_form(link, lang, values, {}, page=page, sid=sid)
        if not csrf_ok(link):
            return render_form(link, lang, values, {}, page=page, sid=sid, banner=TEXTS[lang]["csrf"], status=400)
        answers, problems = answers_from_values(link.spec, values)
        if problems:
            return render_form(link, lang, values, problems, page=page, sid=sid, status=422)
        s = db_store()
        if link.pid:
            prev = previous_response(s, link.form["form_key"], link.pid)
            response_id = prev["response_id"] if prev else None
        else:  # resubmitting the same rendered page (a double tap, a retry) replaces, never duplicates
            basis = f"{app.config['SECRET_KEY']}|{link.form['form_key']}|{sid or secrets.token_hex(16)}"
            response_id = "lw_" + hashlib.sha256(basis.encode()).hexdigest()[:16]
        try:
            LocalForms(s, base_url).submit(token, answers, now=clock(), response_id=response_id)
        except FormClosed:
            return closed_page(link, lang)
        except InvalidResponse as e:
            return render_form(link, lang, values, e.problems, page=page, sid=sid, status=422)
        except UnknownLink:
            abort(404)
        return redirect(link.url(done=True, lang=lang), code=303)

    def done_view(kind: str, token: str):
        try:
            link = resolve(kind, token)
        except _PersonalOnly:
            return message_page(403, "personal_only_title", [("personal_only", {})], choose_lang(None))
        lang = choose_lang(link)
        if link.pid:
            if previous_response(db_store(), link.form["form_key"], link.pid) is None:
                return redirect(link.url(lang=lang), code=303)
            if is_closed(link):
                return message_page(200, "thanks_title", [("thanks", {})], lang)
            return message_page(200, "thanks_title",
                                [("thanks", {}), ("thanks_edit", {"deadline": _when(link.form["deadline"])})],
                                lang, link_text=TEXTS[lang]["edit_link"], link_url=link.url(lang=lang))
        return message_page(200, "thanks_title", [("thanks", {})], lang)

    @app.route("/t/<token>", methods=["GET", "POST"])
    def personal(token: str):
        return form_view("t", token)

    @app.route("/f/<external_id>", methods=["GET", "POST"])
    def public(external_id: str):
        return form_view("f", external_id)

    @app.get("/t/<token>/done")
    def personal_done(token: str):
        return done_view("t", token)

    @app.get("/f/<external_id>/done")
    def public_done(external_id: str):
        return done_view("f", external_id)

    @app.get("/")
    def index():
        return message_page(200, "index_title", [("index", {})], None)

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    @app.errorhandler(404)
    def _not_found(e):
        return message_page(404, "not_found_title", [("not_found", {})], None)

    @app.errorhandler(405)
    def _not_allowed(e):
        return message_page(405, "not_found_title", [("not_found", {})], None)

    @app.errorhandler(413)
    def _too_large(e):
        return message_page(413, "too_large_title", [("too_large", {})], None)

    @app.errorhandler(500)
    def _error(e):
        return message_page(500, "error_title", [("error", {})], None)

    return app


def serve(store: Store, host: str = "127.0.0.1", port: int = 8080, secret_key: bytes | str | None = None,
          base_url: str = "", log: Callable[[str], None] = print) -> None:
    """Serve the web forms until interrupted (Werkzeug's threaded server).

    Request lines are logged with personal tokens shortened, so a log does not
    hand out working links.  Raises :class:`AutomationError` for an in-memory
    store (it cannot be shared between threads) or a port already in use.
    """
    from werkzeug.serving import WSGIRequestHandler, run_simple

    if store.path == ":memory:":
        raise AutomationError("serve needs a state file, not an in-memory store")

    class _Handler(WSGIRequestHandler):
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            path = re.sub(r"/([tf])/([A-Za-z0-9_-]{4})[A-Za-z0-9_-]*", r"/\1/\2…", self.path)
            self.log("info", '"%s %s" %s', self.command, path, code)

    app = create_app(store, secret_key=secret_key, base_url=base_url)
    if host not in ("127.0.0.1", "localhost", "::1"):
        log(f"Note: listening on {host}, reachable from other machines; put it behind HTTPS before sharing links.")
    log(f"Serving the forms on http://{host}:{port}/ — stop with Ctrl+C.")
    try:
        run_simple(host, port, app, threaded=True, request_handler=_Handler)
    except OSError as e:
        raise AutomationError(f"cannot listen on {host}:{port} ({e}); choose another --port") from None
