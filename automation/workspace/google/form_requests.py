"""The Google Forms (API v1) requests a template becomes: one bilingual form in exactly three Forms calls.

:func:`build_form_requests` is pure: it turns a :class:`~automation.model.FormSpec`
into the three request bodies — ``forms.create`` (title only, as the API
demands), ONE ``forms.batchUpdate`` (form description, settings, then every
item with its grading) and ``forms.setPublishSettings``.  ``python main.py
forms build TEMPLATE --json`` prints exactly these bodies.  (The adapter then sets who may answer
with one Drive call: :func:`automation.workspace.google.forms.responder_permission`.)

Decisions (argued in docs/GOOGLE.md):

* **One form, both languages in every label** (Kyrgyz first, ``ky / ru``), not one
  form per language: Google Forms has no language switch, and one form keeps one
  set of question ids, one response list, one worksheet and one link for the
  bilingual group mail.
* **Stable ids derived from the template.** The API lets the caller choose
  ``itemId`` and ``questionId`` on creation ("it can be provided but the ID must
  not be already used in the form"); Google's ids are 8 hex digits in
  ``00000000``–``7fffffff`` (observed, not documented), so we hash the template's
  ids into that range (:func:`google_id`).  Responses come back keyed by these
  ids and map to the template without any lookup.  Should Google ever assign
  other ids, the map from the batchUpdate reply is remembered (:class:`Memo`)
  and used instead.
* **The first section is a text item, the others page breaks** (``pageBreakItem``):
  a page break at index 0 would open the form on an empty page.
* **Personal links are pre-filled links** (Google has no per-respondent tokens): an
  optional short-answer item "Жеке код / Личный код" is added last, and each
  participant's link pre-fills it with her pseudonymous participant id
  (``entry.<decimal of the questionId>=p_…``, the pre-fill URL scheme of the
  Forms web UI).  The responses map back to participants through it, and through
  the respondent's e-mail when the form collects it.  The same link pre-fills what
  the roster knows (oblast, role, language: :mod:`automation.forms.known`) with the
  option's label; Google cannot hide those questions, so she sees them answered.
* **The description names the event and its date** (:func:`event_text`, Kyrgyz first),
  from the context the form job records for the form page.

The adapter that sends these requests and maps the answers back is
:mod:`automation.workspace.google.forms`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from automation.errors import AutomationError
from automation.model import BISHKEK, CHOICE_KINDS, FormSpec, I18n, Question, parse_iso

CODE_QUESTION = "__participant_code"
CODE_TITLE = I18n(ky="Жеке код", ru="Личный код")
CODE_HELP = I18n(
    ky="Каттагы шилтеме аркылуу ачсаңыз, өзү толтурулат. Өзгөртпөңүз.",
    ru="Заполняется сам, если вы открыли форму по ссылке из письма. Не меняйте его.",
)


class FormBuildError(AutomationError):
    """A template cannot be turned into a Google form (e.g. two options with the same label)."""


# --- ids -------------------------------------------------------------------------------


def google_id(*parts: str) -> str:
    """8 hex digits in 00000000..7fffffff derived from ``parts`` (the shape of Google's own ids)."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return format(int.from_bytes(digest[:4], "big") & 0x7FFFFFFF, "08x")


@dataclass
class FormIds:
    """The Google ids of a form built from a spec; :func:`form_ids` is deterministic."""

    items: dict[str, str] = field(default_factory=dict)  # "section:<id>", "question:<id>", "code" -> itemId
    questions: dict[tuple[str, str | None], str] = field(default_factory=dict)  # (qid, row id|None) -> questionId

    @property
    def code_question(self) -> str:
        """The questionId of the personal-code item (what a personal link pre-fills)."""
        return self.questions[(CODE_QUESTION, None)]

    def reverse(self) -> dict[str, tuple[str, str | None]]:
        """Google questionId -> (template question id, grid row id or None): how answers map back."""
        return {v: k for k, v in self.questions.items()}

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable form (kept in the store's memo when Google replaced our ids)."""
        return {"items": self.items, "questions": [[q, r, g] for (q, r), g in self.questions.items()]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "FormIds":
        """The inverse of :meth:`to_json`."""
        return cls(dict(d["items"]), {(q, r): g for q, r, g in d["questions"]})


def form_ids(spec: FormSpec) -> FormIds:
    """Item and question ids for every section, question and grid row of ``spec``.

    Each is :func:`google_id` of the template id; a clash (1 in 2^31 per pair)
    is resolved by salting in template order, so the result stays deterministic.
    """
    used: set[str] = set()

    def fresh(*parts: str) -> str:
        salt = 0
        while True:
            gid = google_id(*parts, *(("#%d" % salt,) if salt else ()))
            if gid not in used:
                used.add(gid)
                return gid
            salt += 1

    ids = FormIds()
    # the personal-code ids first, so they never need a salt: personal_links() derives them without the spec
    ids.items["code"] = fresh("item", CODE_QUESTION)
    ids.questions[(CODE_QUESTION, None)] = fresh("question", CODE_QUESTION)
    for s in spec.sections:
        ids.items[f"section:{s.id}"] = fresh("item", "section", s.id)
    for q in spec.questions:
        ids.items[f"question:{q.id}"] = fresh("item", "question", q.id)
        if q.kind == "grid":
            for r in q.rows:
                ids.questions[(q.id, r.id)] = fresh("question", q.id, r.id)
        else:
            ids.questions[(q.id, None)] = fresh("question", q.id)
    return ids


# --- the request builder (pure) ------------------------------------------------------------


def label(text: I18n) -> str:
    """A participant-facing label in both languages, Kyrgyz first (one line)."""
    return text.both(" / ")


def long_text(text: I18n) -> str:
    """A description in both languages, Kyrgyz paragraph first."""
    return text.both("\n\n")


def _limits_hint(q: Question) -> I18n | None:
    if q.max_words:
        return I18n(ky=f"Эң көп {q.max_words} сөз.", ru=f"Не более {q.max_words} слов.")
    if q.max_chars:
        return I18n(ky=f"Эң көп {q.max_chars} белги.", ru=f"Не более {q.max_chars} знаков.")
    return None


def _join(*texts: I18n | None) -> I18n | None:
    parts = [t for t in texts if t is not None]
    if not parts:
        return None
    return I18n(ky=" ".join(t.ky for t in parts), ru=" ".join(t.ru for t in parts))


def _option_values(q: Question) -> list[str]:
    values = [label(o.label) for o in q.options]
    if not values:
        raise FormBuildError(f"question {q.id!r} has no options" + (
            f" (they come from the event's {q.options_from}: make the form through the plan, or pass "
            "--presenters to `forms build`)" if q.options_from else ""))
    dup = {v for v in values if values.count(v) > 1}
    if dup:
        raise FormBuildError(f"question {q.id!r}: two options have the same label {sorted(dup)[0]!r}; "
                             "Google Forms needs every option label to differ")
    return values


def _question_body(q: Question, ids: FormIds, quiz: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"questionId": ids.questions[(q.id, None)], "required": q.required}
    if q.kind in CHOICE_KINDS:
        kind = {"single_choice": "RADIO", "multiple_choice": "CHECKBOX", "dropdown": "DROP_DOWN"}[q.kind]
        options: list[dict[str, Any]] = [{"value": v} for v in _option_values(q)]
        if q.other and kind in ("RADIO", "CHECKBOX"):
            options.append({"isOther": True})
        body["choiceQuestion"] = {"type": kind, "options": options, "shuffle": q.shuffle}
    elif q.kind == "scale":
        assert q.scale is not None
        scale: dict[str, Any] = {"low": q.scale.low, "high": q.scale.high}
        if q.scale.low_label:
            scale["lowLabel"] = label(q.scale.low_label)
        if q.scale.high_label:
            scale["highLabel"] = label(q.scale.high_label)
        body["scaleQuestion"] = scale
    elif q.kind in ("short_text", "long_text"):
        body["textQuestion"] = {"paragraph": q.kind == "long_text"}
    elif q.kind == "date":
        body["dateQuestion"] = {"includeYear": True, "includeTime": False}
    else:  # pragma: no cover - the template loader allows only QUESTION_KINDS
        raise FormBuildError(f"question {q.id!r}: kind {q.kind!r} has no Google Forms equivalent")
    if quiz and q.correct:
        if q.kind in CHOICE_KINDS:
            by_id = {o.id: label(o.label) for o in q.options}
            answers = [by_id[c] for c in q.correct if c in by_id]
        else:
            answers = list(q.correct)
        body["grading"] = {"pointValue": q.points, "correctAnswers": {"answers": [{"value": a} for a in answers]}}
    return body


def _item(q: Question, ids: FormIds, quiz: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"itemId": ids.items[f"question:{q.id}"], "title": label(q.title)}
    desc = _join(q.help, _limits_hint(q))
    if desc is not None:
        item["description"] = long_text(desc)
    if q.kind == "grid":
        item["questionGroupItem"] = {
            "grid": {"columns": {"type": "RADIO", "options": [{"value": v} for v in _option_values(q)]},
                     "shuffleQuestions": False},
            "questions": [{"questionId": ids.questions[(q.id, r.id)], "required": q.required,
                           "rowQuestion": {"title": label(r.label)}} for r in q.rows],
        }
    else:
        item["questionItem"] = {"question": _question_body(q, ids, quiz)}
    return item


def deadline_text(deadline: datetime) -> I18n:
    """The closing time as participants read it (Asia/Bishkek)."""
    local = deadline.astimezone(BISHKEK).strftime("%d.%m.%Y %H:%M")
    return I18n(ky=f"Жооп берүү мөөнөтү: {local} чейин (Бишкек убактысы).",
                ru=f"Срок ответа: до {local} (время Бишкека).")


def event_text(context: dict[str, Any] | None) -> I18n | None:
    """«Иш-чара: <title>, dd.mm.yyyy» / «Мероприятие: <title>, dd.mm.yyyy» from a form's context, or None.

    ``context`` is what the form job records (``store.forms`` ``context_json``, see
    :func:`automation.jobs.forms.create`): ``event`` ({ky, ru} title) and ``start`` (UTC ISO), shown as
    the date in Asia/Bishkek — the same line the local form page shows (:func:`automation.web.result.event_line`).
    None without an event (a survey of the season, or a form made before the context was recorded).
    """
    event = (context or {}).get("event") or {}
    if not event.get("ky") and not event.get("ru"):
        return None
    start = (context or {}).get("start")
    date = ", " + parse_iso(start).astimezone(BISHKEK).strftime("%d.%m.%Y") if start else ""
    ky, ru = event.get("ky") or event.get("ru"), event.get("ru") or event.get("ky")
    return I18n(ky=f"Иш-чара: {ky}{date}", ru=f"Мероприятие: {ru}{date}")


def document_title(spec: FormSpec, form_key: str) -> str:
    """The form's file name in Drive (what the admin sees there; respondents see the title)."""
    return f"{spec.title.ru} ({form_key})"


def answer_key_on_google(spec: FormSpec) -> bool:
    """Whether the Google form carries the quiz's answer key (``isQuiz`` and each question's ``grading``): only
    when ``show_answers`` is ``after_submit``.  Google shows a quiz's score and correct answers to the respondent
    as set in its "Release grades" setting, immediately after each submission unless changed by hand in the
    form's settings (Google Docs Editors Help, "Create a quiz with Google Forms"), and the API cannot set it:
    ``QuizSettings`` has ``isQuiz`` alone (forms.v1 discovery document).  So ``after_deadline`` and ``never``
    keep the key off Google; the service grades every response itself (:func:`automation.forms.answers.score`),
    so the analysis is the same either way."""
    return spec.quiz and spec.show_answers == "after_submit"


def build_form_requests(spec: FormSpec, deadline: datetime | None = None, *,
                        document_title: str | None = None, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The three request bodies that make ``spec`` a published Google form.

    Returns ``{"create": <Form>, "batchUpdate": <BatchUpdateFormRequest>,
    "setPublishSettings": <SetPublishSettingsRequest>}`` — JSON-serialisable,
    exactly what :meth:`GoogleForms.create_form` sends (``forms.create`` also gets
    the query parameter ``unpublished=true``, so nobody sees the form half-built).
    The batchUpdate holds, in order: ``updateFormInfo`` (the description: the event's name and date from
    ``context`` (:func:`event_text`), the template's description, the deadline; each language's paragraph
    with its own lines, Kyrgyz first),
    ``updateSettings`` (quiz when :func:`answer_key_on_google`, e-mail collection) when needed, then one
    ``createItem`` per section header and question, then the personal-code item.
    Raises :class:`FormBuildError` for a template Google cannot represent.
    """
    ids = form_ids(spec)
    info: dict[str, Any] = {"title": label(spec.title)}
    if document_title:
        info["documentTitle"] = document_title
    requests: list[dict[str, Any]] = []
    lines = [t for t in (event_text(context), spec.description, deadline_text(deadline) if deadline else None)
             if t is not None]
    description = (I18n(ky="\n".join(t.ky for t in lines), ru="\n".join(t.ru for t in lines)) if lines else None)
    if description is not None:
        requests.append({"updateFormInfo": {"info": {"description": long_text(description)},
                                            "updateMask": "description"}})
    settings: dict[str, Any] = {}
    mask: list[str] = []
    keyed = answer_key_on_google(spec)
    if keyed:
        settings["quizSettings"] = {"isQuiz": True}
        mask.append("quizSettings.isQuiz")
    # Always explicit: the default is VERIFIED when the owner is a Workspace account (FormSettings in the
    # forms.v1 discovery document), which would force a Google sign-in on every respondent's phone.
    # RESPONDER_INPUT: she types her address.
    settings["emailCollectionType"] = "RESPONDER_INPUT" if spec.collect_email else "DO_NOT_COLLECT"
    mask.append("emailCollectionType")
    if mask:
        requests.append({"updateSettings": {"settings": settings, "updateMask": ",".join(mask)}})
    items: list[dict[str, Any]] = []
    by_section: dict[str, list[Question]] = {}
    for q in spec.questions:
        by_section.setdefault(q.section, []).append(q)
    for n, s in enumerate(spec.sections):
        header: dict[str, Any] = {"itemId": ids.items[f"section:{s.id}"], "title": label(s.title)}
        if s.description is not None:
            header["description"] = long_text(s.description)
        header["textItem" if n == 0 else "pageBreakItem"] = {}
        items.append(header)
        items.extend(_item(q, ids, keyed) for q in by_section.get(s.id, []))
    items.append({"itemId": ids.items["code"], "title": label(CODE_TITLE), "description": long_text(CODE_HELP),
                  "questionItem": {"question": {"questionId": ids.code_question, "required": False,
                                                "textQuestion": {"paragraph": False}}}})
    requests.extend({"createItem": {"item": item, "location": {"index": i}}} for i, item in enumerate(items))
    return {
        "create": {"info": info},
        "batchUpdate": {"requests": requests},
        "setPublishSettings": publish_body(accepting=True),
    }


def publish_body(accepting: bool) -> dict[str, Any]:
    """setPublishSettings body: published, accepting responses or not (a closed form stays visible)."""
    return {"publishSettings": {"publishState": {"isPublished": True, "isAcceptingResponses": accepting}},
            "updateMask": "publish_state"}
