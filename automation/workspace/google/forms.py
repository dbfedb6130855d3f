"""Google Forms (API v1): a template becomes one bilingual form in exactly three calls.

:func:`build_form_requests` is pure: it turns a :class:`~automation.model.FormSpec`
into the three request bodies — ``forms.create`` (title only, as the API
demands), ONE ``forms.batchUpdate`` (form description, settings, then every
item with its grading) and ``forms.setPublishSettings``.  ``python main.py
forms build TEMPLATE --json`` prints exactly these bodies.

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
  the respondent's e-mail when the form collects it.

Answer values follow :mod:`automation.forms.answers` exactly (see :func:`map_answers`).
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from automation.errors import AutomationError, BackendError
from automation.model import BISHKEK, CHOICE_KINDS, FormSpec, I18n, Participant, Question
from automation.workspace.ports import CreatedForm, FetchedResponse
from automation.workspace.google.api import Connection, RetryPolicy
from automation.workspace.google.memo import Memo

#: Page size of responses.list (the API's maximum: "at most 5000 responses are returned").
PAGE_SIZE = 5000
#: An incremental sync asks for responses newer than the cursor minus this overlap, so a
#: response that became visible late is not skipped; re-fetched ones are de-duplicated by id.
SYNC_OVERLAP = timedelta(minutes=10)

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
        return self.questions[(CODE_QUESTION, None)]

    def reverse(self) -> dict[str, tuple[str, str | None]]:
        return {v: k for k, v in self.questions.items()}

    def to_json(self) -> dict[str, Any]:
        return {"items": self.items, "questions": [[q, r, g] for (q, r), g in self.questions.items()]}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "FormIds":
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


def document_title(spec: FormSpec, form_key: str) -> str:
    """The form's file name in Drive (what the admin sees there; respondents see the title)."""
    return f"{spec.title.ru} ({form_key})"


def build_form_requests(spec: FormSpec, deadline: datetime | None = None, *,
                        document_title: str | None = None) -> dict[str, Any]:
    """The three request bodies that make ``spec`` a published Google form.

    Returns ``{"create": <Form>, "batchUpdate": <BatchUpdateFormRequest>,
    "setPublishSettings": <SetPublishSettingsRequest>}`` — JSON-serialisable,
    exactly what :meth:`GoogleForms.create_form` sends (``forms.create`` also gets
    the query parameter ``unpublished=true``, so nobody sees the form half-built).
    The batchUpdate holds, in order: ``updateFormInfo`` (description + deadline),
    ``updateSettings`` (quiz, e-mail collection) when needed, then one
    ``createItem`` per section header and question, then the personal-code item.
    Raises :class:`FormBuildError` for a template Google cannot represent.
    """
    ids = form_ids(spec)
    info: dict[str, Any] = {"title": label(spec.title)}
    if document_title:
        info["documentTitle"] = document_title
    requests: list[dict[str, Any]] = []
    description = spec.description
    if deadline is not None:
        dl = deadline_text(deadline)
        description = dl if description is None else I18n(ky=f"{description.ky}\n{dl.ky}", ru=f"{description.ru}\n{dl.ru}")
    if description is not None:
        requests.append({"updateFormInfo": {"info": {"description": long_text(description)},
                                            "updateMask": "description"}})
    settings: dict[str, Any] = {}
    mask: list[str] = []
    if spec.quiz:
        settings["quizSettings"] = {"isQuiz": True}
        mask.append("quizSettings.isQuiz")
    if spec.collect_email:
        # RESPONDER_INPUT: she types her address; VERIFIED would force a Google sign-in on her phone.
        settings["emailCollectionType"] = "RESPONDER_INPUT"
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
        items.extend(_item(q, ids, spec.quiz) for q in by_section.get(s.id, []))
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


# --- answers back to the template's terms ----------------------------------------------------


def parse_timestamp(text: str) -> datetime:
    """RFC 3339 "Zulu" with 0–9 fractional digits (Forms' format) -> aware UTC datetime."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)", text.strip())
    if not m:
        raise BackendError(f"Google Forms sent a timestamp that cannot be read: {text!r}")
    base = datetime.fromisoformat(m.group(1) + ("+00:00" if m.group(3) == "Z" else m.group(3)))
    micro = int((m.group(2) or "0")[:6].ljust(6, "0"))
    return base.replace(microsecond=micro).astimezone(timezone.utc)


def rfc3339(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _option_id(q: Question, value: str) -> str | None:
    for o in q.options:
        if value in (label(o.label), o.label.ky, o.label.ru, o.id):
            return o.id
    return None


def _texts(answer: dict[str, Any]) -> list[str]:
    return [a.get("value", "") for a in (answer.get("textAnswers") or {}).get("answers", [])]


def map_answers(spec: FormSpec, ids: FormIds, answers: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Google's ``answers`` (keyed by questionId) -> (answers keyed by template id, participant code).

    Values follow :mod:`automation.forms.answers`: option ids for choices (an "other"
    text stays text), lists in option order for checkboxes, ``int`` for scales,
    ``"YYYY-MM-DD"`` for dates, ``{row id: column option id}`` for grids.
    Unknown question ids (an item added by hand in the Forms editor) are ignored.
    """
    reverse = ids.reverse()
    out: dict[str, Any] = {}
    code: str | None = None
    for gid, answer in answers.items():
        where = reverse.get(gid)
        if where is None:
            continue
        qid, row = where
        values = _texts(answer)
        if not values or all(v == "" for v in values):
            continue
        if qid == CODE_QUESTION:
            code = values[0].strip() or None
            continue
        q = spec.question(qid)
        if q.kind in ("single_choice", "dropdown"):
            out[qid] = _option_id(q, values[0]) or values[0]
        elif q.kind == "multiple_choice":
            chosen = {_option_id(q, v) or v for v in values}
            ordered = [o.id for o in q.options if o.id in chosen]
            out[qid] = ordered + [v for v in values if _option_id(q, v) is None]
        elif q.kind == "grid":
            out.setdefault(qid, {})[row] = _option_id(q, values[0]) or values[0]
        elif q.kind == "scale":
            try:
                out[qid] = int(values[0])
            except ValueError:
                out[qid] = values[0]
        else:  # short_text, long_text, date ("YYYY-MM-DD" with includeYear)
            out[qid] = values[0]
    return out, code


def map_response(spec: FormSpec, ids: FormIds, response: dict[str, Any]) -> FetchedResponse:
    answers, code = map_answers(spec, ids, response.get("answers") or {})
    email = response.get("respondentEmail")
    return FetchedResponse(
        response_id=response["responseId"],
        submitted_at=parse_timestamp(response.get("lastSubmittedTime") or response["createTime"]),
        answers=answers,
        respondent_email=email.strip().lower() if email else None,
        participant_id=code if code and re.fullmatch(r"p_[0-9a-f]{12}", code) else None,
        raw=response,
    )


# --- the adapter ------------------------------------------------------------------------------


class GoogleForms:
    """FormsPort on Google Forms.

    Calls: :meth:`create_form` 3 (create, batchUpdate, setPublishSettings);
    :meth:`close_form` 1; :meth:`fetch_responses` ceil(N / 5000) responses.list
    (at least 1); :meth:`personal_links` none.  Raises
    :class:`~automation.errors.BackendError` (``GoogleAuthError`` for sign-in
    problems) after the retries of ``retry``.
    """

    backend = "google"

    def __init__(self, connection: Connection, memo: Memo | None = None, page_size: int = PAGE_SIZE,
                 overlap: timedelta = SYNC_OVERLAP):
        self.conn = connection
        self.memo = memo or Memo()
        self.page_size = page_size
        self.overlap = overlap
        self._resource: Any = None

    @property
    def _forms(self) -> Any:
        if self._resource is None:
            self._resource = self.conn.service("forms").forms()
        return self._resource

    @property
    def retry(self) -> RetryPolicy:
        return self.conn.retry

    def create_form(self, form_key: str, spec: FormSpec, deadline: datetime) -> CreatedForm:
        """forms.create, one batchUpdate, setPublishSettings: 3 calls.

        Each step is recorded in the store (``google.forms.pending.<form key>``) as soon as Google
        answers, so a run that stopped part-way (a crash, or a failure after the form existed)
        finishes the same form next time instead of making a second one; when it cannot tell
        whether the questions were added it asks Google (1 ``forms.get``, only on that path).
        """
        bodies = build_form_requests(spec, deadline, document_title=document_title(spec, form_key))
        memo_key = f"forms.pending.{form_key}"
        step = self.memo.get(memo_key)
        resuming = step is not None
        if step is None:
            created = self.retry.execute(self._forms.create(body=bodies["create"], unpublished=True),
                                         f"create the form {form_key}", "forms")
            step = {"id": created["formId"], "uri": created.get("responderUri"), "done": "create"}
            self.memo.set(memo_key, step)
        form_id = step["id"]
        try:
            if step["done"] == "create":
                if not (resuming and self._has_items(form_id, form_key)):
                    reply = self.retry.execute(self._forms.batchUpdate(formId=form_id, body=bodies["batchUpdate"]),
                                               f"add the questions of {form_key}", "forms")
                    self._remember_ids(form_id, spec, bodies["batchUpdate"], reply)
                step = {**step, "done": "batchUpdate"}
                self.memo.set(memo_key, step)
            if step["done"] == "batchUpdate":
                self.retry.execute(self._forms.setPublishSettings(formId=form_id, body=bodies["setPublishSettings"]),
                                   f"publish the form {form_key}", "forms")
                step = {**step, "done": "publish"}
                self.memo.set(memo_key, step)
        except BackendError as e:
            raise type(e)(f"{e} The unfinished form {form_id!r} is kept; the next run finishes it.") from None
        url = step.get("uri") or f"https://docs.google.com/forms/d/{form_id}/viewform"
        return CreatedForm(form_id, url)

    def _has_items(self, form_id: str, form_key: str) -> bool:
        """Whether an earlier, interrupted run already added the questions."""
        form = self.retry.execute(self._forms.get(formId=form_id), f"check the unfinished form {form_key}", "forms")
        return bool(form.get("items"))

    def _remember_ids(self, form_id: str, spec: FormSpec, batch: dict[str, Any], reply: dict[str, Any]) -> None:
        """Keep Google's ids only if they differ from the ones we asked for (never seen, but cheap to handle)."""
        ids = form_ids(spec)
        changed = False
        creates = [r["createItem"]["item"] for r in batch["requests"] if "createItem" in r]
        answers = [r.get("createItem", {}) for r in reply.get("replies", []) if "createItem" in r]
        wanted = {qgid: key for key, qgid in ids.questions.items()}
        for item, got in zip(creates, answers):
            asked = [q["questionId"] for q in _item_questions(item)]
            for a, g in zip(asked, got.get("questionId", [])):
                if a != g:
                    ids.questions[wanted[a]] = g
                    changed = True
        if changed:
            self.memo.set(f"forms.{form_id}.ids", ids.to_json())

    def _ids(self, form_id: str, spec: FormSpec) -> FormIds:
        saved = self.memo.get(f"forms.{form_id}.ids")
        return FormIds.from_json(saved) if saved else form_ids(spec)

    def personal_links(self, form_key: str, external_id: str, url: str,
                       participants: list[Participant]) -> dict[str, str]:
        """Pre-filled links: the form's link with her participant code filled in (no API call).

        Google has no per-respondent tokens; the code is a pseudonymous id
        (``p_`` + 12 hex digits), not her name or address.  With a store, each
        link is recorded in ``form_links`` (the link itself as the token), which
        is how the reminder job knows who was invited.
        """
        saved = self.memo.get(f"forms.{external_id}.ids")
        code_qid = FormIds.from_json(saved).code_question if saved else google_id("question", CODE_QUESTION)
        entry = f"entry.{int(code_qid, 16)}"
        sep = "&" if "?" in url else "?"
        links = {p.id: f"{url}{sep}" + urllib.parse.urlencode({"usp": "pp_url", entry: p.id}) for p in participants}
        store = self.memo.store
        if store is not None:  # who was invited (the reminder job's non-respondents), as LocalForms records it
            with store.transaction() as db:
                db.executemany("INSERT OR IGNORE INTO form_links VALUES (?,?,?)",
                               [(form_key, pid, link) for pid, link in links.items()])
        return links

    def close_form(self, external_id: str) -> None:
        """Stop accepting responses (the form stays published and shows Google's 'closed' page)."""
        self.retry.execute(self._forms.setPublishSettings(formId=external_id, body=publish_body(accepting=False)),
                           "close the form", "forms")

    def fetch_responses(self, form_key: str, external_id: str, spec: FormSpec,
                        since: datetime | None) -> list[FetchedResponse]:
        """Responses submitted after ``since - overlap`` (all when None), mapped to the template.

        One ``responses.list`` per page of ``page_size`` (5000).  Responses already
        in the store may come again inside the overlap; the store keys them by id.
        """
        ids = self._ids(external_id, spec)
        kwargs: dict[str, Any] = {"formId": external_id, "pageSize": self.page_size}
        if since is not None:
            kwargs["filter"] = f"timestamp > {rfc3339(since - self.overlap)}"
        out: list[FetchedResponse] = []
        token = None
        while True:
            page = self.retry.execute(
                self._forms.responses().list(**kwargs, **({"pageToken": token} if token else {})),
                f"read the responses of {form_key}", "forms")
            out.extend(map_response(spec, ids, r) for r in page.get("responses", []))
            token = page.get("nextPageToken")
            if not token:
                return out


def _item_questions(item: dict[str, Any]) -> list[dict[str, Any]]:
    if "questionItem" in item:
        return [item["questionItem"]["question"]]
    if "questionGroupItem" in item:
        return list(item["questionGroupItem"]["questions"])
    return []
