"""Her test result by mail: one personal mail per participant per tested event when its post-test closes.

Issue 15: "after a test she never sees her score".  On the local backend she sees it by reopening her link
after the deadline, on Google not at all (the answer key stays off Google unless ``after_submit``), and on
neither does anyone tell her.  The plan's ``<post-test>.scores`` action (``mail.test_result``, at the
post-test's deadline, after the form is closed and its responses synced) mails each roster participant who
answered the post-test or its pre-test, in her language (the roster's), with:

* her post-test score «N из M» and, when she answered the pre-test, her pre-test score (her progress);
* each graded question she got wrong (or left unanswered) on the post-test, with her answer and the correct
  one — the same grading and labels as her result page (:mod:`automation.forms.result`).  Someone who
  answered only the pre-test gets her pre-test score, a line that she did not take the post-test, and her
  wrong pre-test questions with the correct answers: the post-test has closed, so the key may be shown, as
  her pre-test's result page shows it from then on.

Rules: only for a quiz with ``show_answers: after_deadline`` (``never``: she is never shown the answers;
``after_submit``: she saw them when she sent it) — the action is then ``done`` with the reason, as it is when
nobody answered.  Responses without a participant (public or anonymous) have nobody to mail; a participant
who left the club (inactive) is not mailed.  Never to the group: each message goes to her address alone
(and, through the kit's ``personal`` hook, to her linked private Telegram chat).  Delivery is exactly once
per participant (:mod:`automation.jobs.delivery`: the Message-ID is made from the action key and her address),
so a second run, or a run after a crash mid-send, sends nobody a second mail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from automation.context import Context
from automation.forms.result import PRE_SUFFIX, Graded, answer_label, correct_label, graded
from automation.jobs import JobResult, done, skipped
from automation.jobs.delivery import Outgoing
from automation.jobs.form_mails import MailKit, sync_once
from automation.model import LANGS, Action, FormSpec, Participant
from automation.store.forms import FormRecord

#: What stands for an unanswered question (as on her result page, automation/web/result.py).
NO_ANSWER = {"ky": "жооп жок", "ru": "нет ответа"}


def _score(g: Graded) -> dict[str, str]:
    return {"score": f"{g.score:g}", "max": f"{g.max_score:g}"}


def _wrong(g: Graded) -> list[dict[str, Any]]:
    """Her wrong questions as {title, yours, correct}, each text a {ky, ru} dict (the template picks hers)."""
    return [{"title": x.question.title,
             "yours": {lang: answer_label(x.question, x.value, lang) or NO_ANSWER[lang] for lang in LANGS},
             "correct": {lang: correct_label(x.question, lang) for lang in LANGS}} for x in g.wrong]


def result_values(post_spec: FormSpec, post_answers: dict[str, Any] | None, pre_spec: FormSpec | None,
                  pre_answers: dict[str, Any] | None) -> dict[str, Any]:
    """The ``test_result`` mail's own values for one participant (pure): ``post`` and ``pre`` ({score, max}
    as text, or None when she did not answer that test), ``gain`` (post minus pre, as text, when she answered
    both and improved; else None), ``wrong`` (her wrong questions of the post-test, or of the pre-test when
    she took only that) and ``wrong_of`` (``post`` or ``pre``)."""
    post = graded(post_spec, post_answers) if post_answers is not None else None
    pre = graded(pre_spec, pre_answers) if pre_spec is not None and pre_answers is not None else None
    shown = post or pre
    gain = post.score - pre.score if post is not None and pre is not None else 0.0
    return {"post": _score(post) if post else None, "pre": _score(pre) if pre else None,
            "gain": f"{gain:g}" if gain > 0 else None, "wrong": _wrong(shown) if shown else [],
            "wrong_of": "post" if post is not None else "pre"}


def _why_not(spec: FormSpec) -> str | None:
    """Why this test gets no result mails, or None when it does."""
    if not spec.quiz or spec.max_score <= 0:
        return "not a graded test: no result mails"
    if spec.show_answers == "never":
        return "the test's show_answers is never: nobody is shown her score and the correct answers, no result mails"
    if spec.show_answers == "after_submit":
        return ("the test's show_answers is after_submit: each saw her score and the correct answers when she sent "
                "it, no result mails")
    return None


def result_mails(ctx: Context, kit: MailKit, action: Action, now: datetime) -> "list[Outgoing] | JobResult":
    """One personal result mail per active participant who answered the post-test (the action's form) or its
    pre-test (see the module docstring).  Skipped when the post-test was never created; done with the reason
    when the test shows no answers by mail (``show_answers`` not ``after_deadline``) or nobody answered.  On a
    backend that holds responses remotely the post-test is synced first unless synced at ``now`` already (not
    in a preview)."""
    post = ctx.store.forms.get(str(action.payload["form_key"]))
    if post is None:
        return skipped("the form was never created")
    spec = post.spec()
    why = _why_not(spec)
    if why:
        return done(why)
    pre = ctx.store.forms.get(post.form_key + PRE_SUFFIX)
    if pre is not None and not pre.pre_test:
        pre = None
    forms = [f for f in (post, pre) if f is not None]
    if ctx.backend.responses_need_sync and not kit.previewing:
        # the post-test's latest answers (its sync ran at this tick already, unless it failed); the pre-test
        # closed and was synced at its own deadline
        sync_once(ctx, post, now)
    answered = set().union(*(ctx.store.responses.respondents(f.form_key) for f in forms))
    people = [p for p in ctx.store.roster.participants(active_only=True) if p.id in answered]
    if not people:
        return done("nobody on the roster answered the test or its pre-test: no result mails")
    event = ctx.plan.event(action.event_id)
    title = event.title if event else spec.title
    pre_spec = pre.spec() if pre is not None else None
    out = []
    for p in people:
        values = {"event_title": title, "participant_name": p.name,
                  **result_values(spec, _answers(ctx, post, p), pre_spec, _answers(ctx, pre, p))}
        values = kit.personal(ctx, action, "test_result", values, p)
        msg = kit.build(ctx, action.key, p.email, "test_result", (p.language,), values, [p.email], now)
        out.append(Outgoing(p.email, p.language, msg, [p.email]))
    return out


def _answers(ctx: Context, form: FormRecord | None, p: Participant) -> dict[str, Any] | None:
    """Her latest answers to ``form``, or None when she did not answer it (or there is no such form)."""
    if form is None:
        return None
    r = ctx.store.responses.latest_of(form.form_key, p.id)
    return r.answers if r is not None else None
