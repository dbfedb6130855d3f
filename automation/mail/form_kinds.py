"""What a form is called in the mails she gets: its kind (pre-test, post-test, feedback, vote ...) in ky and ru.

The subject of every form mail names the kinds of the forms it carries and the
event (issue 15: "Subjects name the kind ... and the event, in her language"), so
that the pre-test and the post-test of one event never share a subject.  The
words follow the programmes the participants read (``examples/club2022/programmes``:
«алдын ала тест» / «входной тест», «пост-тест»).
"""

from __future__ import annotations

from collections.abc import Sequence

from automation.model import I18n

#: The label of each form kind, lower case (it follows a colon in a subject); ``pre_test`` is the post-test
#: template given before the event.  A kind not listed here is called by its form's title.
FORM_KIND_LABELS: dict[str, I18n] = {
    "pre_test": I18n("алдын ала тест", "входной тест"),
    "post_test": I18n("пост-тест", "пост-тест"),
    "event_feedback": I18n("иш-чараны баалоо", "оценка мероприятия"),
    "best_practice_vote": I18n("добуш берүү", "голосование"),
    "needs_assessment": I18n("муктаждыктарды баалоо", "оценка потребностей"),
    "school_application": I18n("Мектепке арыз", "заявка в Школу"),
}

#: The word before the last item of a list: «a, b и c» / «a, b жана c».
_AND = {"ky": "жана", "ru": "и"}


def kind_label(kind: str, pre_test: bool, title: I18n) -> I18n:
    """The label of a form of ``kind`` (``pre_test``: given before the event); its ``title`` when the kind is
    not in :data:`FORM_KIND_LABELS`."""
    if pre_test and kind == "post_test":
        return FORM_KIND_LABELS["pre_test"]
    return FORM_KIND_LABELS.get(kind, title)


def join_labels(labels: Sequence[I18n]) -> I18n:
    """``[a, b, c]`` → «a, b и c» / «a, b жана c»; a label given twice is named once."""
    uniq: list[I18n] = []
    for x in labels:
        if x not in uniq:
            uniq.append(x)

    def one(lang: str) -> str:
        words = [x.get(lang) for x in uniq]
        return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {_AND[lang]} {words[-1]}"

    return I18n(one("ky"), one("ru"))


def capitalised(text: I18n) -> I18n:
    """The first letter upper case in both languages (a label at the start of a line)."""
    return I18n(text.ky[:1].upper() + text.ky[1:], text.ru[:1].upper() + text.ru[1:])


def _i18n(x: object) -> I18n:
    if isinstance(x, I18n):
        return x
    if isinstance(x, dict):
        return I18n(str(x["ky"]), str(x["ru"]))
    return I18n(str(x), str(x))


def form_mail_ctx(forms: Sequence[dict], event_title: object) -> dict:
    """What the form mail templates add to their context: ``forms`` with each item's ``label`` (its kind,
    capitalised) and ``about``, what the subject names: the kinds and the event («пост-тест и оценка
    мероприятия — «Местный бюджет»»), or the forms' titles when they belong to no event (a survey).
    Texts may be :class:`I18n`, ``{ky, ru}`` dicts or plain strings."""
    items = [{**f, "kind": _i18n(f["kind"]), "title": _i18n(f["title"])} for f in forms]
    for f in items:
        f["label"] = capitalised(f["kind"])
    if event_title is None:
        about = join_labels([f["title"] for f in items])
    else:
        kinds, ev = join_labels([f["kind"] for f in items]), _i18n(event_title)
        about = I18n(f"{kinds.ky} — «{ev.ky}»", f"{kinds.ru} — «{ev.ru}»")
    return {"forms": items, "about": about}
