"""Forms v1: forms.create, get, batchUpdate, setPublishSettings; responses.list/get;
and the test-side :meth:`FormsBackend.add_response` (respondents are not an API).

Rules enforced, with their source (Forms API reference, v1):

* ``forms.create``: only ``info.title`` and ``info.documentTitle`` may be set ("All other
  fields including the form description, items and settings are disallowed").
  ``?unpublished=true`` makes an unpublished form; without it the fake uses its
  ``forms_created_published`` setting (default False: Google's announced default).
* ``batchUpdate`` is atomic ("All the specified updates are made or none of them are")
  and applies its requests in order, so ``updateSettings`` (isQuiz) must precede items
  that carry grading. ``writeControl.requiredRevisionId`` must be the latest revision.
* ``createItem``: ``location.index`` in ``[0, N]``; ``deleteItem``/``updateItem``/
  ``moveItem`` indexes in ``[0, N)``. An item has exactly one kind; a question exactly
  one kind; file-upload questions cannot be created through the API. Provided
  itemId/questionId must not be in use. Choice options: non-empty, unique values.
  Scale: low 0 or 1, high 2..10. Rating: 3..10 levels.
* grading: only on a quiz (``settings.quizSettings.isQuiz``), only on choice, text and
  grid-row questions; ``pointValue`` >= 0; correct answers of choice/grid questions must
  be options; ``whenRight``/``whenWrong`` only on choice questions; ``generalFeedback``
  not on choice questions. Setting isQuiz to false removes all grading.
* ``updateFormInfo``/``updateSettings``/``updateItem``: ``updateMask`` required and
  non-empty; ``documentTitle`` cannot be changed by batchUpdate.
* ``setPublishSettings``: ``publishState`` with both flags; ``isAcceptingResponses`` true
  with ``isPublished`` false is an error.
* ``responses.list``: ``pageSize`` 0/unset -> 5000, capped at 5000; ``filter`` only
  ``timestamp > T`` or ``timestamp >= T`` (RFC 3339 UTC); page tokens bound to the filter.

Output follows proto3 JSON: false/0/""/[] fields are omitted (``isPublished: false``
does not appear), as Google's responses do.
"""
from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
import urllib.parse
from typing import TYPE_CHECKING, Any, Iterable

from .drive import FORM
from .errors import ApiError, bad_request
from .validation import parse_rfc3339

if TYPE_CHECKING:
    from .server import Call, FakeGoogle

ITEM_KINDS = ("questionItem", "questionGroupItem", "pageBreakItem", "textItem", "imageItem", "videoItem")
QUESTION_KINDS = ("choiceQuestion", "textQuestion", "scaleQuestion", "dateQuestion", "timeQuestion",
                  "fileUploadQuestion", "rowQuestion", "ratingQuestion")
GRADABLE = ("choiceQuestion", "textQuestion", "rowQuestion")
REQUEST_KINDS = ("createItem", "deleteItem", "moveItem", "updateFormInfo", "updateItem", "updateSettings")
MAX_PAGE_SIZE = 5000
NOT_FOUND = "Requested entity was not found."


def timestamp(value: dt.datetime, timespec: str = "microseconds") -> str:
    return value.astimezone(dt.timezone.utc).isoformat(timespec=timespec).replace("+00:00", "Z")


def proto_clean(value: Any) -> Any:
    """Drop proto3 default scalars (False, 0, "") and empty lists; keep (empty) messages."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = proto_clean(v)
            if v is False or v == "" or v == [] or v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0):
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [proto_clean(v) for v in value]
    return value


class FormRecord:
    def __init__(self, form: dict[str, Any]) -> None:
        self.form = form
        self.revision = 1
        self.responses: list[dict[str, Any]] = []

    @property
    def revision_id(self) -> str:
        return f"{self.revision:08d}"


class FormsBackend:
    body_rules = {
        # forms.create takes a Form, whose "items" the reference marks Required; creation
        # must not carry items at all.
        "forms.forms.create": {"exempt": {("Form", "items")}},
        # nested resources of update requests are partial (an updateMask says which fields)
        # an "Other" option ({"isOther": true}) has no value; the rest is checked in _check_options
        "forms.forms.batchUpdate": {
            "exempt": {("Option", "value")},
            "relaxed_below": {("UpdateFormInfoRequest", "info"), ("UpdateSettingsRequest", "settings"),
                              ("UpdateItemRequest", "item")},
        },
    }

    def __init__(self, fake: "FakeGoogle", *, created_published: bool = False,
                 email_default: str = "DO_NOT_COLLECT", unordered: bool = False) -> None:
        self.fake = fake
        # Google does not say in which order responses.list returns responses; unordered=True lists them by
        # response id (random, so not by time), the same order on every page of one listing.
        self.unordered = unordered
        self.created_published = created_published
        # "DO_NOT_COLLECT: Default value if the form owner uses a Google account. VERIFIED: Default value if the
        # form owner uses a Google Workspace account." (FormSettings.emailCollectionType, forms.v1 discovery)
        self.email_default = email_default
        self.records: dict[str, FormRecord] = {}

    def handlers(self) -> dict[str, Any]:
        return {
            "forms.forms.create": self.create,
            "forms.forms.get": self.get,
            "forms.forms.batchUpdate": self.batch_update,
            "forms.forms.setPublishSettings": self.set_publish_settings,
            "forms.forms.responses.list": self.list_responses,
            "forms.forms.responses.get": self.get_response,
        }

    # -- test-side helpers ------------------------------------------------------------------

    def create_form(self, title: str, *, document_title: str | None = None, published: bool | None = None,
                    parents: list[str] | None = None) -> dict[str, Any]:
        form_id = "1" + self.fake.new_id(43)
        published = self.created_published if published is None else published
        form = {
            "formId": form_id,
            "info": {"title": title, "documentTitle": document_title or title},
            "settings": {"emailCollectionType": self.email_default},
            "items": [],
            "responderUri": f"https://docs.google.com/forms/d/e/{form_id}/viewform",
            "publishSettings": {"publishState": {"isPublished": published, "isAcceptingResponses": published}},
        }
        record = FormRecord(form)
        self.records[form_id] = record
        self.fake.drive.add_file(document_title or title, FORM, file_id=form_id, parents=parents)
        return self._render(record)

    def form(self, form_id: str) -> dict[str, Any]:
        """The stored form as forms.get would answer."""
        return self._render(self.records[form_id])

    def question_ids(self, form_id: str) -> dict[str, str]:
        """{item title: questionId} of the form's single-question items."""
        out = {}
        for item in self.records[form_id].form["items"]:
            q = item.get("questionItem", {}).get("question")
            if q:
                out[item.get("title", "")] = q["questionId"]
        return out

    def add_response(
        self,
        form_id: str,
        answers: dict[str, Any],
        *,
        respondent_email: str | None = None,
        submitted_at: dt.datetime | None = None,
        response_id: str | None = None,
    ) -> dict[str, Any]:
        """Record a respondent's submission, as if made through the form.

        ``answers`` maps questionId to a string, a list of strings (checkbox), or a full
        Answer JSON. Raises ValueError for an unknown question, a choice that is not an
        option, or a form that does not accept responses. Quiz forms are graded.
        """
        with self.fake._lock:
            record = self.records[form_id]
            state = record.form["publishSettings"]["publishState"]
            if not state.get("isAcceptingResponses"):
                raise ValueError(f"form {form_id} is not accepting responses (publish it first)")
            questions = dict(self._questions(record.form))
            is_quiz = bool(record.form["settings"].get("quizSettings", {}).get("isQuiz"))
            moment = submitted_at or self.fake.now()
            when = timestamp(moment)
            # as recorded from Google: createTime in milliseconds, lastSubmittedTime in microseconds
            # (tests/google_recordings/forms/responses_list_single.json)
            created = timestamp(moment, "milliseconds")
            out_answers: dict[str, Any] = {}
            total = 0.0
            for qid, given in answers.items():
                if qid not in questions:
                    raise ValueError(f"form {form_id} has no question {qid!r}")
                question, options = questions[qid]
                if isinstance(given, dict):
                    answer = {"questionId": qid, **given}
                else:
                    values = [given] if isinstance(given, str) else list(given)
                    if options is not None and not any(o.get("isOther") for o in options):
                        allowed = {o.get("value") for o in options}
                        bad = [v for v in values if v not in allowed]
                        if bad:
                            raise ValueError(f"{bad!r} are not options of question {qid}")
                    answer = {"questionId": qid, "textAnswers": {"answers": [{"value": v} for v in values]}}
                grading = question.get("grading")
                if is_quiz and grading:
                    given_values = [a["value"] for a in answer.get("textAnswers", {}).get("answers", [])]
                    correct_values = [a["value"] for a in grading.get("correctAnswers", {}).get("answers", [])]
                    if question.get("choiceQuestion", {}).get("type") == "CHECKBOX":
                        correct = sorted(given_values) == sorted(correct_values)
                    else:
                        correct = len(given_values) == 1 and given_values[0] in correct_values
                    score = float(grading.get("pointValue", 0)) if correct else 0.0
                    total += score
                    answer["grade"] = {"score": score, "correct": correct}
                out_answers[qid] = answer
            response = {
                "responseId": response_id or "ACYDBN" + self.fake.new_id(40),
                "createTime": created,
                "lastSubmittedTime": when,
                "answers": out_answers,
            }
            if respondent_email:
                response["respondentEmail"] = respondent_email
            if is_quiz:
                response["totalScore"] = total
            record.responses.append(response)
            return copy.deepcopy(response)

    def submit_prefilled(self, link: str, answers: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
        """Submit through a pre-filled link as a respondent who leaves the pre-filled answers as they are.

        The link is ``<responderUri>?usp=pp_url&entry.<questionId in decimal>=<value>&...`` (the scheme of
        the Forms editor's "Get pre-filled link"); ``answers`` (questionId -> value) are what she adds or
        changes.  Pessimistic about what Google does with a value it cannot show: an entry naming no
        question of the form, or a choice value that is not exactly one of the options (and the question
        has no "Other"), is dropped, not submitted.  Other keywords go to :meth:`add_response`.
        """
        parts = urllib.parse.urlsplit(link)
        m = re.fullmatch(r"/forms/d/e/([^/]+)/viewform", parts.path)
        if not m:
            raise ValueError(f"not a responder link: {link!r}")
        form_id = m.group(1)
        with self.fake._lock:
            questions = dict(self._questions(self.records[form_id].form))
        given: dict[str, Any] = {}
        for key, values in urllib.parse.parse_qs(parts.query).items():
            if not re.fullmatch(r"entry\.\d+", key):
                continue
            qid = format(int(key.split(".")[1]), "08x")
            if qid not in questions:
                continue
            options = questions[qid][1]
            if options is not None and not any(o.get("isOther") for o in options):
                values = [v for v in values if v in {o.get("value") for o in options}]
            if values:
                given[qid] = values[0] if len(values) == 1 else values
        given.update(answers or {})
        return self.add_response(form_id, given, **kw)

    # -- handlers ----------------------------------------------------------------------------

    def _record(self, form_id: str) -> FormRecord:
        record = self.records.get(form_id)
        if record is None:
            raise ApiError(404, NOT_FOUND)
        return record

    def _render(self, record: FormRecord) -> dict[str, Any]:
        form = copy.deepcopy(record.form)
        form["revisionId"] = record.revision_id
        return proto_clean(form)

    def create(self, call: "Call") -> Any:
        body = call.body or {}
        extra = [k for k in body if k != "info"]
        extra += [f"info.{k}" for k in (body.get("info") or {}) if k not in ("title", "documentTitle")]
        if extra:
            raise bad_request(
                "Only info.title and info.document_title may be set when creating a form; "
                f"found {', '.join(extra)}. Add items and settings with forms.batchUpdate.",
                field=extra[0],
            )
        unpublished = call.query.get("unpublished")
        published = None if unpublished is None else not unpublished
        info = body["info"]
        return self.create_form(info["title"], document_title=info.get("documentTitle"), published=published)

    def get(self, call: "Call") -> Any:
        return self._render(self._record(call.arg("formId")))

    def set_publish_settings(self, call: "Call") -> Any:
        record = self._record(call.arg("formId"))
        body = call.body or {}
        mask = body.get("updateMask")
        if mask not in (None, "", "*", "publish_state", "publishState"):
            raise bad_request(f"Invalid update mask: {mask!r}. Allowed: publish_state, *.", field="updateMask")
        state = (body.get("publishSettings") or {}).get("publishState")
        if state is None:
            raise bad_request("publishSettings.publishState must be set.", field="publishSettings.publishState")
        if state["isAcceptingResponses"] and not state["isPublished"]:
            raise bad_request("A form that is not published cannot accept responses "
                              "(isAcceptingResponses=true with isPublished=false).",
                              field="publishSettings.publishState")
        record.form["publishSettings"] = {"publishState": {"isPublished": state["isPublished"],
                                                           "isAcceptingResponses": state["isAcceptingResponses"]}}
        return proto_clean({"formId": record.form["formId"], "publishSettings": record.form["publishSettings"]})

    def get_response(self, call: "Call") -> Any:
        record = self._record(call.arg("formId"))
        for response in record.responses:
            if response["responseId"] == call.arg("responseId"):
                return {"formId": record.form["formId"], **copy.deepcopy(response)}
        raise ApiError(404, NOT_FOUND)

    def list_responses(self, call: "Call") -> Any:
        record = self._record(call.arg("formId"))
        size = call.query.get("pageSize") or MAX_PAGE_SIZE
        if size < 0:
            raise bad_request("page_size must not be negative.", field="pageSize")
        size = min(size, MAX_PAGE_SIZE)
        text = call.query.get("filter") or ""
        keep = self._parse_filter(text)
        start = 0
        token = call.query.get("pageToken")
        if token:
            try:
                state = json.loads(base64.urlsafe_b64decode(token.encode()))
                start = int(state["offset"])
                if state["filter"] != text:
                    raise ValueError
            except (ValueError, KeyError, TypeError):
                raise bad_request("Invalid page token.", field="pageToken") from None
        matching = [r for r in record.responses if keep(r)]
        if self.unordered:
            matching.sort(key=lambda r: r["responseId"])
        page = matching[start:start + size]
        out: dict[str, Any] = {}
        if page:
            out["responses"] = copy.deepcopy(page)
        if start + size < len(matching):
            out["nextPageToken"] = base64.urlsafe_b64encode(
                json.dumps({"offset": start + size, "filter": text}).encode()).decode()
        return out

    @staticmethod
    def _parse_filter(text: str):
        if not text.strip():
            return lambda r: True
        m = re.fullmatch(r"\s*timestamp\s*(>=|>)\s*(\S+)\s*", text)
        if not m:
            raise bad_request(f"Invalid filter: {text!r}. Supported: 'timestamp > T', 'timestamp >= T'.",
                              field="filter")
        try:
            bound = parse_rfc3339(m.group(2))
        except ValueError:
            raise bad_request(f"Invalid timestamp in filter: {m.group(2)!r} (RFC 3339 UTC expected).",
                              field="filter") from None
        strict = m.group(1) == ">"

        def keep(response: dict[str, Any]) -> bool:
            at = parse_rfc3339(response["lastSubmittedTime"])
            return at > bound if strict else at >= bound

        return keep

    # -- batchUpdate ---------------------------------------------------------------------------

    def batch_update(self, call: "Call") -> Any:
        record = self._record(call.arg("formId"))
        body = call.body or {}
        control = body.get("writeControl") or {}
        required = control.get("requiredRevisionId")
        if required is not None and required != record.revision_id:
            raise bad_request(f"The revision ID {required!r} is not the latest ({record.revision_id!r}).",
                              field="writeControl.requiredRevisionId")
        target = control.get("targetRevisionId")
        if target is not None and not (target.isdigit() and 1 <= int(target) <= record.revision):
            raise bad_request(f"Unknown target revision ID {target!r}.", field="writeControl.targetRevisionId")
        form = copy.deepcopy(record.form)  # all or nothing: work on a copy
        replies = []
        for i, request in enumerate(body.get("requests") or []):
            kinds = [k for k in REQUEST_KINDS if request.get(k) is not None]
            if len(kinds) != 1:
                raise bad_request(f"requests[{i}] must set exactly one kind of request; found {kinds or 'none'}.",
                                  field=f"requests[{i}]")
            kind = kinds[0]
            where = f"requests[{i}].{kind}"
            replies.append(getattr(self, "_" + kind)(form, request[kind], where))
        record.form = form
        record.revision += 1
        out: dict[str, Any] = {"replies": replies, "writeControl": {"requiredRevisionId": record.revision_id}}
        if body.get("includeFormInResponse"):
            out["form"] = self._render(record)
        return out

    # individual requests: mutate `form` (a working copy); raise ApiError to reject the batch

    def _createItem(self, form: dict, req: dict, where: str) -> dict:
        items = form["items"]
        index = self._index(req["location"], len(items) + 1, f"{where}.location", create=True)
        item = copy.deepcopy(req["item"])
        self._check_item(form, item, where + ".item")
        question_ids = self._assign_ids(form, item, where + ".item")
        items.insert(index, item)
        reply: dict[str, Any] = {"itemId": item["itemId"]}
        if question_ids:
            reply["questionId"] = question_ids
        return {"createItem": reply}

    def _deleteItem(self, form: dict, req: dict, where: str) -> dict:
        index = self._index(req["location"], len(form["items"]), f"{where}.location")
        del form["items"][index]
        return {}

    def _moveItem(self, form: dict, req: dict, where: str) -> dict:
        items = form["items"]
        old = self._index(req["originalLocation"], len(items), f"{where}.originalLocation")
        new = self._index(req["newLocation"], len(items), f"{where}.newLocation")
        items.insert(new, items.pop(old))
        return {}

    def _updateItem(self, form: dict, req: dict, where: str) -> dict:
        items = form["items"]
        index = self._index(req["location"], len(items), f"{where}.location")
        paths = self._mask(req.get("updateMask"), where)
        current = items[index]
        if paths == ["*"]:
            updated = copy.deepcopy(req["item"])
        else:
            updated = copy.deepcopy(current)
            for path in paths:
                _copy_path(req["item"], updated, path.split("."))
        # ids stay those of the existing item
        updated["itemId"] = current["itemId"]
        old_q = [q.get("questionId") for q in _item_questions(current)]
        for q, qid in zip(_item_questions(updated), old_q):
            if qid and not q.get("questionId"):
                q["questionId"] = qid
        self._check_item(form, updated, where + ".item", replacing=current)
        self._assign_ids(form, updated, where + ".item", replacing=current)
        items[index] = updated
        return {}

    def _updateFormInfo(self, form: dict, req: dict, where: str) -> dict:
        paths = self._mask(req.get("updateMask"), where)
        info = req.get("info") or {}
        for path in paths:
            if path in ("documentTitle", "document_title"):
                raise bad_request(f"{where}: documentTitle cannot be modified by batchUpdate; "
                                  "use the Drive API.", field=f"{where}.updateMask")
            if path == "*":
                if "documentTitle" in info:
                    raise bad_request(f"{where}: documentTitle cannot be modified by batchUpdate.",
                                      field=f"{where}.info.documentTitle")
                form["info"].update({k: info.get(k, "") for k in ("title", "description")})
            elif path in ("title", "description"):
                form["info"][path] = info.get(path, "")
            else:
                raise bad_request(f"{where}: invalid field in updateMask: {path!r}.", field=f"{where}.updateMask")
        return {}

    def _updateSettings(self, form: dict, req: dict, where: str) -> dict:
        paths = self._mask(req.get("updateMask"), where)
        settings = req.get("settings") or {}
        for path in paths:
            if path == "*":
                form["settings"] = {"emailCollectionType": self.email_default, **copy.deepcopy(settings)}
            elif path in ("quizSettings", "quiz_settings", "quizSettings.isQuiz", "quiz_settings.is_quiz"):
                form["settings"]["quizSettings"] = {"isQuiz": bool((settings.get("quizSettings") or {}).get("isQuiz"))}
            elif path in ("emailCollectionType", "email_collection_type"):
                form["settings"]["emailCollectionType"] = settings.get("emailCollectionType", self.email_default)
            else:
                raise bad_request(f"{where}: invalid field in updateMask: {path!r}.", field=f"{where}.updateMask")
        if not (form["settings"].get("quizSettings") or {}).get("isQuiz"):
            for item in form["items"]:  # "Upon setting to false, all question Grading is deleted."
                for q in _item_questions(item):
                    q.pop("grading", None)
        return {}

    # -- checks ----------------------------------------------------------------------------------

    @staticmethod
    def _index(location: dict, bound: int, where: str, create: bool = False) -> int:
        if location.get("index") is None:
            raise bad_request(f"{where}.index is required.", field=f"{where}.index")
        index = location["index"]
        if not 0 <= index < bound:
            limit = bound - 1
            what = "the number of items" if create else "the last item index"
            raise bad_request(f"{where}.index {index} is out of range: it must be between 0 and {limit} "
                              f"({what}).", field=f"{where}.index")
        return index

    @staticmethod
    def _mask(mask: str | None, where: str) -> list[str]:
        paths = [p.strip() for p in (mask or "").split(",") if p.strip()]
        if not paths:
            raise bad_request(f"{where}.updateMask must name at least one field.", field=f"{where}.updateMask")
        return paths

    def _questions(self, form: dict) -> Iterable[tuple[str, tuple[dict, list | None]]]:
        for item in form["items"]:
            if "questionItem" in item:
                q = item["questionItem"]["question"]
                yield q["questionId"], (q, q.get("choiceQuestion", {}).get("options"))
            elif "questionGroupItem" in item:
                grid = item["questionGroupItem"].get("grid", {}).get("columns", {})
                for q in item["questionGroupItem"]["questions"]:
                    yield q["questionId"], (q, grid.get("options"))

    def _check_item(self, form: dict, item: dict, where: str, replacing: dict | None = None) -> None:
        kinds = [k for k in ITEM_KINDS if item.get(k) is not None]
        if len(kinds) != 1:
            raise bad_request(f"{where} must have exactly one kind ({', '.join(ITEM_KINDS)}); found {kinds or 'none'}.",
                              field=where)
        kind = kinds[0]
        quiz = bool((form["settings"].get("quizSettings") or {}).get("isQuiz"))
        if kind == "questionItem":
            self._check_question(item["questionItem"]["question"], quiz, f"{where}.questionItem.question")
        elif kind == "questionGroupItem":
            group = item["questionGroupItem"]
            columns = (group.get("grid") or {}).get("columns")
            if columns is None:
                raise bad_request(f"{where}.questionGroupItem.grid is required for rows.", field=f"{where}.questionGroupItem.grid")
            if columns.get("type") not in ("RADIO", "CHECKBOX"):
                raise bad_request(f"{where}.questionGroupItem.grid.columns.type must be RADIO or CHECKBOX.",
                                  field=f"{where}.questionGroupItem.grid.columns.type")
            self._check_options(columns, f"{where}.questionGroupItem.grid.columns")
            for j, q in enumerate(group["questions"]):
                self._check_question(q, quiz, f"{where}.questionGroupItem.questions[{j}]", grid=columns)

    def _check_question(self, q: dict, quiz: bool, where: str, grid: dict | None = None) -> None:
        kinds = [k for k in QUESTION_KINDS if q.get(k) is not None]
        if len(kinds) != 1:
            raise bad_request(f"{where} must have exactly one kind of question; found {kinds or 'none'}.", field=where)
        kind = kinds[0]
        if grid is not None and kind != "rowQuestion":
            raise bad_request(f"{where}: questions of a question group must be rowQuestion.", field=where)
        if grid is None and kind == "rowQuestion":
            raise bad_request(f"{where}: rowQuestion is only valid inside a questionGroupItem.", field=where)
        if kind == "fileUploadQuestion":
            raise bad_request(f"{where}: file upload questions cannot be created through the API.", field=where)
        if kind == "choiceQuestion":
            choice = q["choiceQuestion"]
            if choice["type"] == "CHOICE_TYPE_UNSPECIFIED":
                raise bad_request(f"{where}.choiceQuestion.type must be RADIO, CHECKBOX or DROP_DOWN.",
                                  field=f"{where}.choiceQuestion.type")
            self._check_options(choice, f"{where}.choiceQuestion")
        elif kind == "scaleQuestion":
            scale = q["scaleQuestion"]
            low, high = scale.get("low", 0), scale.get("high", 0)
            if low not in (0, 1) or not 2 <= high <= 10:
                raise bad_request(f"{where}.scaleQuestion: low must be 0 or 1 and high between 2 and 10; "
                                  f"got {low}..{high}.", field=f"{where}.scaleQuestion")
        elif kind == "ratingQuestion":
            rating = q["ratingQuestion"]
            if not 3 <= rating.get("ratingScaleLevel", 0) <= 10 or rating["iconType"] == "RATING_ICON_TYPE_UNSPECIFIED":
                raise bad_request(f"{where}.ratingQuestion: 3..10 levels and an icon type are required.",
                                  field=f"{where}.ratingQuestion")
        grading = q.get("grading")
        if grading is None:
            return
        g_where = f"{where}.grading"
        if not quiz:
            raise bad_request(f"{g_where}: grading can only be set on a quiz; set "
                              "settings.quizSettings.isQuiz=true first (updateSettings before the items).",
                              field=g_where)
        if kind not in GRADABLE:
            raise bad_request(f"{g_where}: a {kind} cannot be graded (only choice, text and grid questions).",
                              field=g_where)
        if grading.get("pointValue", 0) < 0:
            raise bad_request(f"{g_where}.pointValue must not be negative.", field=f"{g_where}.pointValue")
        options = (q.get("choiceQuestion") or grid or {}).get("options")
        if options is not None:
            values = {o.get("value") for o in options}
            for a in grading["correctAnswers"].get("answers", []):
                if a["value"] not in values:
                    raise bad_request(f"{g_where}.correctAnswers: {a['value']!r} is not one of the options.",
                                      field=f"{g_where}.correctAnswers")
        if kind != "choiceQuestion" and (grading.get("whenRight") or grading.get("whenWrong")):
            raise bad_request(f"{g_where}: whenRight/whenWrong can only be set on choice questions.", field=g_where)
        if kind == "choiceQuestion" and grading.get("generalFeedback"):
            raise bad_request(f"{g_where}: generalFeedback cannot be set on automatically graded "
                              "choice questions.", field=f"{g_where}.generalFeedback")

    @staticmethod
    def _check_options(choice: dict, where: str) -> None:
        options = choice["options"]
        if not options:
            raise bad_request(f"{where}.options must not be empty.", field=f"{where}.options")
        seen = set()
        for j, option in enumerate(options):
            value = option.get("value")
            if not option.get("isOther") and not value:
                raise bad_request(f"{where}.options[{j}].value must not be empty.", field=f"{where}.options[{j}]")
            if value in seen:
                raise bad_request(f"{where}.options[{j}]: duplicate option value {value!r}.", field=f"{where}.options[{j}]")
            seen.add(value)

    def _assign_ids(self, form: dict, item: dict, where: str, replacing: dict | None = None) -> list[str]:
        used_items = {i["itemId"] for i in form["items"] if i is not replacing}
        used_questions = {q["questionId"] for i in form["items"] if i is not replacing
                          for q in _item_questions(i)}
        if replacing is None:
            if item.get("itemId"):
                if item["itemId"] in used_items:
                    raise bad_request(f"{where}.itemId {item['itemId']!r} is already used in the form.",
                                      field=f"{where}.itemId")
            else:
                item["itemId"] = self._fresh(used_items)
        ids = []
        for j, q in enumerate(_item_questions(item)):
            qid = q.get("questionId")
            if qid:
                if qid in used_questions:
                    raise bad_request(f"{where}: questionId {qid!r} is already used in the form.", field=where)
            else:
                qid = q["questionId"] = self._fresh(used_questions)
            used_questions.add(qid)
            ids.append(qid)
        return ids

    def _fresh(self, used: set[str]) -> str:
        while True:
            candidate = self.fake.new_id(8, "0123456789abcdef")
            if candidate not in used:
                return candidate


def _item_questions(item: dict) -> list[dict]:
    if "questionItem" in item:
        return [item["questionItem"]["question"]]
    if "questionGroupItem" in item:
        return list(item["questionGroupItem"].get("questions", []))
    return []


def _copy_path(src: dict, dst: dict, path: list[str]) -> None:
    head, rest = path[0], path[1:]
    if not rest:
        if head in src:
            dst[head] = copy.deepcopy(src[head])
        else:
            dst.pop(head, None)
        return
    _copy_path(src.get(head) or {}, dst.setdefault(head, {}), rest)
