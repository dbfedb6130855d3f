"""Google Forms (API v1): the FormsPort adapter, and Google's answers mapped back to the template's terms.

:class:`GoogleForms` sends the three requests of
:func:`~automation.workspace.google.form_requests.build_form_requests` to make a
form (``forms.create``, ONE ``forms.batchUpdate``, ``forms.setPublishSettings``),
hands out pre-filled personal links, closes forms and lists their responses;
the design decisions (one bilingual form, stable ids derived from the
template, the personal-code item) are argued in
:mod:`automation.workspace.google.form_requests` and docs/GOOGLE.md.

Answer values follow :mod:`automation.forms.answers` exactly (see :func:`map_answers`).
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any

from automation.errors import BackendError
from automation.forms.known import known_answers
from automation.model import FormSpec, Participant, Question
from automation.workspace.ports import CreatedForm, FetchedResponse
from automation.workspace.google.api import (Connection, RetryPolicy, error_details, lost_connection,
                                            translate)
from automation.workspace.google.form_requests import (CODE_QUESTION, FormIds, build_form_requests, document_title,
                                                       form_ids, google_id, label, publish_body)
from automation.workspace.google.memo import Memo

#: Page size of responses.list (the API's maximum: "at most 5000 responses are returned").
PAGE_SIZE = 5000
#: An incremental sync asks for responses newer than the cursor minus this overlap, so a
#: response that became visible late is not skipped; re-fetched ones are de-duplicated by id.
SYNC_OVERLAP = timedelta(minutes=10)


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
    """``dt`` as RFC 3339 UTC with a ``Z`` and whole seconds (the form of responses.list's timestamp filter)."""
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
    """One Forms API ``FormResponse`` as a :class:`FetchedResponse` (see :func:`map_answers`).

    The time is ``lastSubmittedTime`` (else ``createTime``) in UTC; the e-mail is
    lower-cased; the participant is the pre-filled code when it has the shape of
    a participant id (``p_`` + 12 hex digits), else None; ``raw`` is the response as Google sent it.
    """
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


def prefill_entry(question_id: str) -> str:
    """The pre-fill parameter name of a Google questionId: ``entry.`` + its hex digits read as a decimal number.

    The pre-filled link scheme (``<responderUri>?usp=pp_url&entry.<id>=<value>``) is the one the Forms
    editor's "Get pre-filled link" produces (Google Docs Editors Help, "Send a form with pre-filled
    answers"); the entry number is the API's questionId in decimal (observed: Forms API ``forms.get``
    ids against the editor's pre-filled links, e.g. https://qiita.com/que9/items/19dd5a3b24d654be9c7c).
    A choice is pre-filled by its option's text exactly as the form shows it.
    """
    return f"entry.{int(question_id, 16)}"


def responder_permission(responders: str) -> dict[str, Any]:
    """The Drive permission that makes ``responders`` the responders of a published form.

    Since April 2025 who may answer a form is a Drive permission with ``view: "published"``
    (Forms API release notes, 2025-04-08; guide "Publish and manage responders on the form",
    https://developers.google.com/workspace/forms/api/guides/publish-form).  Google's own sample
    (googleworkspace/python-samples, forms/snippets/anyone_with_link_responder.py, Apache-2.0) sets
    ``{"type": "anyone", "view": "published", "role": "reader"}``; a domain gets ``type: domain``.
    ``responders``: ``anyone`` or a domain name.  Raises BackendError for anything else.
    """
    if responders == "anyone":
        return {"type": "anyone", "view": "published", "role": "reader"}
    if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", responders.strip().lower()):
        return {"type": "domain", "domain": responders.strip().lower(), "view": "published", "role": "reader"}
    raise BackendError(f"google.responders: expected anyone or a domain name such as amuca.kg, found {responders!r}")


class GoogleForms:
    """FormsPort on Google Forms.

    ``responders``: who may answer a published form — ``anyone`` (with the link; the default, since
    most participants have no account in the club's Workspace domain) or a domain name
    (``amuca.kg``: only signed-in users of that domain); see :func:`responder_permission`.

    Calls: :meth:`create_form` 4 (create, batchUpdate, setPublishSettings, Drive ``permissions.create``
    of the responders);
    :meth:`close_form` 1; :meth:`fetch_responses` ceil(N / 5000) responses.list
    (at least 1); :meth:`personal_links` none.  Raises
    :class:`~automation.errors.BackendError` (``GoogleAuthError`` for sign-in
    problems) after the retries of ``retry``.
    """

    backend = "google"

    def __init__(self, connection: Connection, memo: Memo | None = None, page_size: int = PAGE_SIZE,
                 overlap: timedelta = SYNC_OVERLAP, responders: str = "anyone"):
        self.conn = connection
        self.memo = memo or Memo()
        self.responders = responders
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
        """The connection's retry policy (every call of this adapter goes through it)."""
        return self.conn.retry

    def create_form(self, form_key: str, spec: FormSpec, deadline: datetime,
                    context: dict[str, Any] | None = None) -> CreatedForm:
        """forms.create, one batchUpdate, setPublishSettings, the responders (Drive permissions.create): 4 calls.

        ``context`` (the event's title and start, as the form job records it) puts the event's name and
        date at the top of the form's description (:func:`~automation.workspace.google.form_requests.event_text`).

        Each step is recorded in the store (``google.forms.pending.<form key>``) as soon as Google
        answers, so a run that stopped part-way (a crash, or a failure after the form existed)
        finishes the same form next time instead of making a second one; when it cannot tell
        whether the questions were added it asks Google (1 ``forms.get``, only on that path).
        """
        bodies = build_form_requests(spec, deadline, document_title=document_title(spec, form_key), context=context)
        memo_key = f"forms.pending.{form_key}"
        step = self.memo.get(memo_key)
        resuming = step is not None
        if step is None or step.get("done") == "creating":
            self.memo.set(memo_key, {"done": "creating"})
            created = self._create_once(form_key, bodies["create"], look_first=step is not None)
            done = "create"
            if created.get("_adopted"):  # made by an attempt whose answer was lost (or an earlier run)
                created = self.retry.call(self._forms.get(formId=created["formId"]),
                                          f"read the form {form_key} found in Drive", "forms")
                done = "batchUpdate" if created.get("items") else "create"
            step = {"id": created["formId"], "uri": created.get("responderUri"), "done": done}
            self.memo.set(memo_key, step)
            resuming = False
        form_id = step["id"]
        try:
            if step["done"] == "create":
                if not (resuming and self._has_items(form_id, form_key)):
                    reply = self.retry.call(self._forms.batchUpdate(formId=form_id, body=bodies["batchUpdate"]),
                                               f"add the questions of {form_key}", "forms")
                    self._remember_ids(form_id, spec, bodies["batchUpdate"], reply)
                step = {**step, "done": "batchUpdate"}
                self.memo.set(memo_key, step)
            if step["done"] == "batchUpdate":
                self.retry.call(self._forms.setPublishSettings(formId=form_id, body=bodies["setPublishSettings"]),
                                   f"publish the form {form_key}", "forms")
                step = {**step, "done": "publish"}
                self.memo.set(memo_key, step)
            if step["done"] == "publish":
                self.retry.call(self.conn.service("drive").permissions().create(
                    fileId=form_id, body=responder_permission(self.responders), supportsAllDrives=True, fields="id"),
                    f"let {'anyone with the link' if self.responders == 'anyone' else self.responders} answer "
                    f"the form {form_key}", "drive")
                step = {**step, "done": "responders"}
                self.memo.set(memo_key, step)
        except BackendError as e:
            raise type(e)(f"{e} The unfinished form {form_id!r} is kept; the next run finishes it.") from None
        url = step.get("uri") or f"https://docs.google.com/forms/d/{form_id}/viewform"
        return CreatedForm(form_id, url)

    def _create_once(self, form_key: str, body: dict[str, Any], look_first: bool) -> dict[str, Any]:
        """``forms.create`` that never leaves two forms for one form key.

        googleapiclient's own retry would send ``forms.create`` again after a 5xx or a timeout that
        may have hidden a success, leaving a duplicate.  Here the create is sent once per attempt;
        after a 5xx, a 429 or a lost connection (and when a crash interrupted an earlier attempt:
        ``look_first``), the form is looked for in Drive by its file name, the ``documentTitle``
        set in the same create call (unique per form key, see
        :func:`~automation.workspace.google.form_requests.document_title`): 1 ``files.list``.
        A form found there is adopted (``_adopted`` in the answer) instead of made again.
        """
        from googleapiclient.errors import HttpError

        what = f"create the form {form_key}"
        problem = ""
        for attempt in range(self.retry.num_retries + 1):
            if look_first or attempt:
                found = self._find_made(body["info"].get("documentTitle") or body["info"]["title"], form_key)
                if found is not None:
                    return found
                if attempt:
                    self.retry.sleep(min(32.0, 2.0 ** attempt))
            request = self._forms.create(body=body, unpublished=True)
            request._sleep = self.retry.sleep
            try:
                return dict(request.execute(num_retries=0))
            except HttpError as e:
                status = error_details(e)[0]
                if status != 429 and status < 500:
                    raise translate(e, what, "forms") from None
                problem = f"{status}: {error_details(e)[2]}"
            except Exception as e:
                if not lost_connection(e, what):
                    raise
                problem = f"no connection: {e}"
        raise BackendError(f"Google Forms kept failing ({problem}); gave up trying to {what}. The next run looks "
                           "for the form in Drive before making it, so no second form is made.")

    def _find_made(self, name: str, form_key: str) -> dict[str, Any] | None:
        """The newest form this program made under ``name`` (its Drive file name), or None.

        No time filter: the file name holds the form key, so a form found is this key's form (one
        whose questions are already in is then not given them again: see :meth:`create_form`).
        """
        escaped = name.replace("\\", "\\\\").replace("'", "\\'")
        q = f"name = '{escaped}' and mimeType = 'application/vnd.google-apps.form' and trashed = false"
        listed = self.retry.call(self.conn.service("drive").files().list(
            q=q, fields="files(id,createdTime)", pageSize=10, supportsAllDrives=True, includeItemsFromAllDrives=True),
            f"look for the form {form_key} in Drive", "drive")
        mine = listed.get("files", [])
        if not mine:
            return None
        newest = max(mine, key=lambda f: f.get("createdTime") or "")
        return {"formId": newest["id"], "_adopted": True}

    def _has_items(self, form_id: str, form_key: str) -> bool:
        """Whether an earlier, interrupted run already added the questions."""
        form = self.retry.call(self._forms.get(formId=form_id), f"check the unfinished form {form_key}", "forms")
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
        """Pre-filled links: the form's link with her participant code and what the roster knows filled in (no API call).

        Google has no per-respondent tokens; the code is a pseudonymous id
        (``p_`` + 12 hex digits), not her name or address.  With a store that has the form's record,
        her roster's answers to the form's ``oblast``/``role``/``language`` questions
        (:func:`automation.forms.known.known_answers`) are pre-filled too, as the option's label the form
        shows; Google cannot hide a question on a pre-filled link, so she sees them already answered.
        Each entry is ``entry.<decimal of the questionId>=<value>`` (:func:`prefill_entry`).  With a
        store, each link is recorded in ``form_links`` (the link itself as the token), which is how the
        reminder job knows who was invited.
        """
        saved = self.memo.get(f"forms.{external_id}.ids")
        store = self.memo.store
        record = store.forms.get(form_key) if store is not None else None
        spec = record.spec() if record is not None else None
        ids = FormIds.from_json(saved) if saved else (form_ids(spec) if spec is not None else None)
        code_qid = ids.code_question if ids is not None else google_id("question", CODE_QUESTION)
        sep = "&" if "?" in url else "?"
        links = {}
        for p in participants:
            params = {"usp": "pp_url", prefill_entry(code_qid): p.id}
            if spec is not None and ids is not None:
                for qid, option_id in known_answers(spec, p).items():
                    gid = ids.questions.get((qid, None))
                    option = next(o for o in spec.question(qid).options if o.id == option_id)
                    if gid is not None:
                        params[prefill_entry(gid)] = label(option.label)
            links[p.id] = f"{url}{sep}" + urllib.parse.urlencode(params)
        if store is not None:  # who was invited (the reminder job's non-respondents), as LocalForms records it
            store.forms.add_links(form_key, links)
        return links

    def close_form(self, external_id: str) -> None:
        """Stop accepting responses (the form stays published and shows Google's 'closed' page)."""
        self.retry.call(self._forms.setPublishSettings(formId=external_id, body=publish_body(accepting=False)),
                           "close the form", "forms")

    def update_form(self, external_id: str, old: FormSpec, new: FormSpec, deadline: datetime,
                    context: dict[str, Any] | None = None) -> None:
        """Apply a checked edit (:mod:`automation.forms.edit`) as ONE ``forms.batchUpdate``
        (:func:`update_requests`): all of it or, when Google refuses a request, none of it.  ``context``
        keeps the event's name and date in the description (as in :meth:`create_form`)."""
        self.retry.call(self._forms.batchUpdate(formId=external_id, body=update_requests(old, new, deadline, context)),
                        "correct the form", "forms")

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
            page = self.retry.call(
                self._forms.responses().list(**kwargs, **({"pageToken": token} if token else {})),
                f"read the responses of {form_key}", "forms")
            out.extend(map_response(spec, ids, r) for r in page.get("responses", []))
            token = page.get("nextPageToken")
            if not token:
                return out


def update_requests(old: FormSpec, new: FormSpec, deadline: datetime,
                    context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one BatchUpdateFormRequest that turns the form made from ``old`` into ``new`` (deadline text included).

    Items keep their ids (derived from the template ids, :func:`form_ids`), so stored responses keep mapping:
    ``updateFormInfo`` (title, description with the deadline), then ``deleteItem`` for items ``new`` no longer
    has (highest index first; :mod:`automation.forms.edit` allows it only for questions nobody answered), then
    in the new order ``updateItem`` for a changed item at its index and ``createItem`` for a new one.  Google
    requires ``location`` and ``updateMask`` on ``updateItem`` (forms.batchUpdate reference, UpdateItemRequest).
    Raises :class:`FormBuildError` when the edit moves items that stay (the form would need ``moveItem``).
    Ids Google replaced at creation (kept in the memo; never seen) are not looked up here.
    """
    from automation.workspace.google.form_requests import FormBuildError

    def items(spec: FormSpec, dl: datetime | None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        reqs = build_form_requests(spec, dl, context=context)["batchUpdate"]["requests"]
        info: dict[str, Any] = next((r["updateFormInfo"]["info"] for r in reqs if "updateFormInfo" in r), {})
        return [r["createItem"]["item"] for r in reqs if "createItem" in r], info

    before, _ = items(old, None)
    after, info = items(new, deadline)
    old_ids, new_ids = [i["itemId"] for i in before], [i["itemId"] for i in after]
    out: list[dict[str, Any]] = [{"updateFormInfo": {"info": {"title": label(new.title), **info},
                                                     "updateMask": "title,description"}}]
    out += [{"deleteItem": {"location": {"index": i}}} for i in reversed(range(len(old_ids)))
            if old_ids[i] not in new_ids]
    kept = [x for x in old_ids if x in new_ids]
    if kept != [x for x in new_ids if x in kept]:
        raise FormBuildError("the edit changes the order of questions already on the Google form; keep their order "
                             "(new questions may go anywhere)")
    was = dict(zip(old_ids, before))
    for i, item in enumerate(after):
        if item["itemId"] not in was:
            out.append({"createItem": {"item": item, "location": {"index": i}}})
        elif item != was[item["itemId"]]:
            kind = next((k for k in ("questionItem", "questionGroupItem") if k in item), None)
            mask = "title,description" + (f",{kind}" if kind else "")
            out.append({"updateItem": {"item": item, "location": {"index": i}, "updateMask": mask}})
    return {"requests": out}


def _item_questions(item: dict[str, Any]) -> list[dict[str, Any]]:
    if "questionItem" in item:
        return [item["questionItem"]["question"]]
    if "questionGroupItem" in item:
        return list(item["questionGroupItem"]["questions"])
    return []
