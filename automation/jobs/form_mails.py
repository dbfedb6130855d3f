"""The form mails: invitations, reminders and results, one mail per participant per event per moment.

The plan keeps one action per form (``<form key>.invitation``, ``.reminder``,
``.results``: the ledger and the keys stay as they were), but the forms of one
event whose action of the same kind falls due at the same moment make a
*bundle* (issue 15: "the invitations of one event at one moment go in one mail
with all its links").  Every action of a bundle composes one message per
recipient carrying the bundle's forms; its ``Message-ID`` is made from the
recipient and the *part* of the bundle it carries (:func:`part_key`: the form's
own action key for one form, so a lone form's Message-IDs are those of before).
Delivery stays exactly once per message (:mod:`automation.jobs.delivery`):

* the first action of the bundle to run sends the messages; the others find,
  for each recipient, a recorded message carrying their form and send nothing
  (a ``queued`` or ``unknown`` one is composed again, as it was, for the crash
  recovery and ``mail resend``);
* a form that joins late (its creation failed and was fixed later) goes in a
  mail of its own to those who got the others already — never the same links
  twice, never a link lost.  The part already sent is found by looking up the
  Message-ID of every part of the bundle (2^n − 1 for n forms; an event has a few).

Rules: an invitation waits up to :data:`BUNDLE_WAIT` for a form of its bundle
whose creation failed, then carries the bundle's created forms whose invitation has
not gone out yet (so a member who joined after it, as before, is not invited to
an announced form); a reminder names only the forms she was invited to, has not
answered and that are still open; a results mail names only the forms with at
least ``min_group_size`` responses (DESIGN.md principle 8, club.yaml
``min_group_size``), and is not sent when none has.

The functions take the mail helpers of :mod:`automation.jobs.mailings` as a
:class:`MailKit` (that module lists them as composers), so this module does not
import it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations
from typing import Any

from automation.context import Context
from automation.jobs import JobResult, deferred, done, failed, skipped
from automation.jobs.delivery import Outgoing, message_id
from automation.mail.form_kinds import kind_label
from automation.model import BISHKEK, Action, Participant, parse_iso
from automation.plan.actions import actions as plan_actions
from automation.store.forms import FormRecord


#: How long the invitations of a bundle wait for a form whose creation failed (a Google API hiccup is over
#: within the next ticks, a minute apart); after that the others go, and the form follows alone when made.
#: A form whose creation has not run at all (only when actions are run by hand: the scheduler makes the
#: forms of a moment before it invites) is not waited for.
BUNDLE_WAIT = timedelta(hours=1)


@dataclass(frozen=True)
class MailKit:
    """The helpers of :mod:`automation.jobs.mailings` a form mail is made with: ``build`` is
    ``build_message``, ``group`` is ``_group_outgoing``; ``previewing`` is true inside ``mail preview``
    (nothing may change on the backend)."""

    build: Callable[..., Any]
    group: Callable[..., list[Outgoing]]
    previewing: bool
    #: ``personal(ctx, action, kind, values, participant) -> values``: a hook on each personal mail's values
    #: before it is rendered (e.g. a line on getting the mail in Telegram); unchanged by default.  Its
    #: ``action`` carries the part's key (:func:`part_key`), as ``group`` does for a results mail.
    personal: Callable[[Context, Action, str, dict[str, Any], Participant], dict[str, Any]] = (
        lambda ctx, action, kind, values, p: values)


def bundle(ctx: Context, action: Action) -> list[Action]:
    """The actions of ``action``'s bundle in the order of the event's forms in the plan: the plan's actions
    of the same kind, event, due moment and audience.  A public form is a bundle of its own."""
    if action.payload.get("audience") == "public":
        return [action]
    same = [a for a in plan_actions(ctx.plan) if a.kind == action.kind and a.event_id == action.event_id
            and a.due == action.due and a.payload.get("audience") == action.payload.get("audience")]
    if action.key not in {a.key for a in same}:  # an action the plan no longer has: on its own
        return [action]
    event = ctx.plan.event(action.event_id)
    order = [f.key for f in event.forms] if event else []
    return sorted(same, key=lambda a: (order.index(a.payload["form_key"]) if a.payload["form_key"] in order
                                       else len(order), a.key))


def part_key(event_id: str, suffix: str, form_keys: Sequence[str]) -> str:
    """The key a message carrying ``form_keys`` (plan order) is named by; its Message-ID is made from it and the
    recipient: ``<form key>.<suffix>`` (the form's own action key) for one form, else
    ``<event>.<form>+<form>....<suffix>``; ``suffix`` is ``invitation``, ``reminder`` or ``results``."""
    if len(form_keys) == 1:
        return f"{form_keys[0]}.{suffix}"
    prefix = f"{event_id}."
    return f"{event_id}.{'+'.join(k.removeprefix(prefix) for k in form_keys)}.{suffix}"


@dataclass(frozen=True)
class Part:
    """One message to compose for one recipient: ``key`` (:func:`part_key`) and the forms it shows."""

    key: str
    form_keys: tuple[str, ...]


def parts(ctx: Context, event_id: str, suffix: str, members: Sequence[str], recipient: str,
          relevant: Collection[str], fresh: Collection[str], own: str) -> tuple[list[Part], bool]:
    """The messages to compose for ``recipient`` from a bundle of forms ``members`` (plan order), and whether
    some part was recorded already.

    A part of the bundle recorded in the delivery ledger for her covers its forms.  It is composed again
    (showing its forms that are still ``relevant``; delivery then counts it as already sent, or finishes it)
    when it carries ``own``, the running action's form, or while its outcome is open (``queued``: the crash
    recovery; ``unknown``: ``mail resend``).  The ``fresh`` forms no recorded part covers make one new message.
    """
    domain = ctx.plan.club.admin_email.split("@", 1)[1]
    out: list[Part] = []
    covered: set[str] = set()
    sent = False
    for n in range(1, len(members) + 1):
        for combo in combinations(members, n):
            key = part_key(event_id, suffix, combo)
            status = ctx.store.deliveries.status(message_id(key, recipient, domain))
            if status is None:
                continue
            covered.update(combo)
            sent = True
            shown = tuple(k for k in combo if k in relevant)
            if shown and (own in combo or status in ("queued", "unknown")):
                out.append(Part(key, shown))
    new = tuple(k for k in members if k in fresh and k not in covered)
    if new:
        out.append(Part(part_key(event_id, suffix, new), new))
    return out, sent


def _local(dt: datetime) -> str:
    return f"{dt.astimezone(BISHKEK):%Y-%m-%d %H:%M}"


def _event_title(ctx: Context, action: Action) -> Any:
    event = ctx.plan.event(action.event_id)
    return event.title if event else None


def _item(form: FormRecord) -> dict[str, Any]:
    spec = form.spec()
    return {"kind": kind_label(form.kind, form.pre_test, spec.title), "title": spec.title,
            "deadline": parse_iso(form.deadline), "pre_test": form.pre_test}


def _suffix(action: Action) -> str:
    return action.key.rsplit(".", 1)[-1]


def _compose(ctx: Context, kit: MailKit, action: Action, kind: str, members: list[str],
             forms: dict[str, FormRecord], people: list[Participant], relevant: dict[str, set[str]],
             fresh: dict[str, set[str]], now: datetime) -> "list[Outgoing] | JobResult":
    """Personal messages: for each person her :func:`parts` (``relevant``/``fresh``: form keys per person id)
    with her personal link to each form shown (asked only for the forms she gets: asking records the
    invitation); done when everything had gone out already."""
    plans, any_sent = [], False
    for p in people:
        todo, sent = parts(ctx, action.event_id, _suffix(action), members, p.email, relevant.get(p.id, set()),
                           fresh.get(p.id, set()), str(action.payload["form_key"]))
        any_sent = any_sent or sent
        plans.append((p, todo))
    links: dict[str, dict[str, str]] = {}
    for k, f in forms.items():
        who = [p for p, todo in plans if any(k in part.form_keys for part in todo)]
        if who:
            links[k] = ctx.backend.forms.personal_links(k, f.external_id, f.url, who)
    items = {k: _item(f) for k, f in forms.items()}
    title = _event_title(ctx, action)
    out = []
    for p, todo in plans:
        for part in todo:
            # the hook sees the part's key (the same whichever action of the bundle composes it)
            values = kit.personal(ctx, dataclasses.replace(action, key=part.key), kind, {
                "event_title": title, "participant_name": p.name,
                "forms": [{**items[k], "url": links[k][p.id]} for k in part.form_keys]}, p)
            msg = kit.build(ctx, part.key, p.email, kind, (p.language,), values, [p.email], now)
            out.append(Outgoing(p.email, p.language, msg, [p.email]))
    if not out and any_sent:
        return done(f"already sent in one mail with the other forms of {action.event_id} at this moment")
    return out


def invitations(ctx: Context, kit: MailKit, action: Action, now: datetime) -> "list[Outgoing] | JobResult":
    """Invite to the bundle's forms: one mail per active participant with her personal link to each form not
    announced yet (:func:`parts`), or one group mail with the public link.  Fails (retried at the next tick)
    while the action's own form is not created; skipped when it never will be."""
    own = ctx.store.forms.get(str(action.payload["form_key"]))
    if own is None:
        row = ctx.store.ledger.get(f"{action.payload['form_key']}.create")
        if row is not None and row.status == "skipped":
            return skipped("the form was never created")
        return failed("the form is not created yet (its creation failed or has not run)")
    if action.payload.get("audience") == "public":
        values = {"event_title": _event_title(ctx, action), "forms": [{**_item(own), "url": own.url}],
                  "participant_name": None}
        return kit.group(ctx, action, "form_invitation", values, now)
    members = bundle(ctx, action)
    forms = {k: f for a in members if (f := ctx.store.forms.get(k := str(a.payload["form_key"]))) is not None}
    coming = [k for a in members if (k := str(a.payload["form_key"])) not in forms
              and (row := ctx.store.ledger.get(f"{k}.create")) is not None and row.status in ("failed", "deferred")]
    if coming and now < action.due + BUNDLE_WAIT:
        return deferred(f"waiting for the form {', '.join(coming)} (not created yet) so that the invitations of "
                        f"{action.event_id} go out in one mail; from {_local(action.due + BUNDLE_WAIT)} they go "
                        "without it, and it follows alone once it is created")
    announced = {str(a.payload["form_key"]) for a in members if a.key != action.key
                 and (row := ctx.store.ledger.get(a.key)) is not None and row.status == "done"}
    people = ctx.store.roster.participants(active_only=True)
    created = set(forms)
    return _compose(ctx, kit, action, "form_invitation", [str(a.payload["form_key"]) for a in members], forms,
                    people, {p.id: created for p in people}, {p.id: created - announced for p in people}, now)


def non_respondents(ctx: Context, form_key: str) -> list[Participant]:
    """Active participants invited to the form (they have a personal link) who have not answered."""
    invited = set(ctx.store.forms.links(form_key))
    answered = ctx.store.responses.respondents(form_key)
    return [p for p in ctx.store.roster.participants(active_only=True) if p.id in invited and p.id not in answered]


def sync_once(ctx: Context, form: FormRecord, now: datetime) -> None:
    """Pull the latest answers of a form held remotely, once per moment (the bundle's other actions, and the
    result mails, reuse it)."""
    if form.last_synced_at and parse_iso(form.last_synced_at) >= now:
        return
    from automation.jobs.responses import sync_form

    sync_form(ctx, form.form_key, now)


def reminders(ctx: Context, kit: MailKit, action: Action, now: datetime) -> "list[Outgoing] | JobResult":
    """One reminder per participant naming the bundle's open forms she was invited to and has not answered,
    with her links; skipped when the forms are closed, done when everyone has answered.  On a backend that
    holds responses remotely the forms are synced first (not in a preview)."""
    members = bundle(ctx, action)
    forms = [f for a in members if (f := ctx.store.forms.get(str(a.payload["form_key"]))) is not None]
    if not forms:
        return skipped("the form was never created")
    forms = [f for f in forms if f.status == "open"]
    if not forms:
        return skipped("the form is already closed")
    if action.key.endswith(".reminder"):  # the plan's reminder (not the console's "remind now")
        wait = _too_soon_after_invitation(ctx, members, forms, now)
        if wait is not None:
            return wait
    if ctx.backend.responses_need_sync and not kit.previewing:
        for f in forms:  # the latest answers, so nobody who answered gets a reminder
            sync_once(ctx, f, now)
    pending = {f.form_key: {p.id for p in non_respondents(ctx, f.form_key)} for f in forms}
    people = [p for p in ctx.store.roster.participants(active_only=True) if any(p.id in s for s in pending.values())]
    if not people:
        return done("everyone has answered: no reminder needed")
    mine = {p.id: {k for k, ids in pending.items() if p.id in ids} for p in people}
    return _compose(ctx, kit, action, "form_reminder", [str(a.payload["form_key"]) for a in members],
                    {f.form_key: f for f in forms}, people, mine, mine, now)


#: The least time between an invitation and the plan's reminder of the same forms: after a catch-up (the
#: service was down when both were due) the reminder waits, rather than arriving in the same minute.
REMINDER_GAP = timedelta(hours=24)


def _too_soon_after_invitation(ctx: Context, members: list[Action], forms: list[FormRecord],
                               now: datetime) -> JobResult | None:
    """``deferred`` until :data:`REMINDER_GAP` after the bundle's invitation went out (its ledger time), or
    ``done`` with no reminder when that would be after the forms' deadline; None when the gap has passed or no
    invitation is recorded."""
    sent = [parse_iso(e.finished_at) for a in members
            if (e := ctx.store.ledger.get(f"{a.payload['form_key']}.invitation")) is not None and e.status == "done"]
    if not sent:
        return None
    ready = max(sent) + REMINDER_GAP
    if ready <= now:
        return None
    deadline = min(parse_iso(f.deadline) for f in forms)
    local = ready.astimezone(BISHKEK).strftime("%Y-%m-%d %H:%M")
    if ready >= deadline:
        return done(f"the invitation went out less than {REMINDER_GAP.total_seconds() / 3600:g} h before the "
                    "deadline: no reminder")
    return deferred(f"the invitation went out less than {REMINDER_GAP.total_seconds() / 3600:g} h "
                     f"ago: the reminder waits until {local}")


def _dec(x: float) -> str:
    """One decimal with a decimal comma, as Russian and Kyrgyz write it (12,8)."""
    return f"{x:.1f}".replace(".", ",")


def _votes_ru(n: int) -> str:
    """«голос», «голоса» or «голосов» for ``n`` (Russian plural)."""
    if n % 10 == 1 and n % 100 != 11:
        return "голос"
    return "голоса" if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14) else "голосов"


def results_lines(ctx: Context, form: FormRecord) -> list[dict[str, str]]:
    """A few lines on a closed form's results for the group, in ky and ru (no names but the vote's winners,
    who presented in public; no groups, so small-cell suppression does not arise).  The response count is
    the template's."""
    from automation.forms.answers import score

    spec = form.spec()
    rows = [r.answers for r in ctx.store.responses.list(form.form_key)]
    lines: list[dict[str, str]] = []
    if not rows:
        return lines
    if spec.quiz and spec.max_score:
        mean = sum(score(spec, a) for a in rows) / len(rows)
        pct = f"{100 * mean / spec.max_score:.0f}%"
        lines.append({"ky": f"Орточо упай: {_dec(mean)} / {spec.max_score:g} ({pct})",
                      "ru": f"Средний балл: {_dec(mean)} из {spec.max_score:g} ({pct})"})
    scales = [a[q.id] for q in spec.questions if q.kind == "scale" for a in rows if isinstance(a.get(q.id), int)]
    if scales and spec.kind == "event_feedback":  # a rating of the event; elsewhere scales ask other things
        high = max(q.scale.high for q in spec.questions if q.kind == "scale" and q.scale is not None)
        m = sum(scales) / len(scales)
        lines.append({"ky": f"Орточо баа: {_dec(m)} / {high}", "ru": f"Средняя оценка: {_dec(m)} из {high}"})
    if spec.kind == "best_practice_vote":
        q = next(q for q in spec.questions if q.kind == "single_choice")
        votes: dict[str, int] = {}
        for a in rows:
            if a.get(q.id):
                votes[a[q.id]] = votes.get(a[q.id], 0) + 1
        if votes:
            top = max(votes.values())
            names = ", ".join(q.option_label(o) for o, n in sorted(votes.items()) if n == top)
            lines.append({"ky": f"Эң мыкты тажрыйба: {names} ({top} добуш)",
                          "ru": f"Лучшая практика: {names} ({top} {_votes_ru(top)})"})
    return lines


def results(ctx: Context, kit: MailKit, action: Action, now: datetime) -> "list[Outgoing] | JobResult":
    """One group mail with the results of the bundle's closed forms: responses against the invited and a few
    summary lines per form.  A form with fewer than ``ctx.min_group_size`` responses is left out, and its
    action skipped (no «Получено ответов: 0 из 15»); when every form is, no results mail goes."""
    members = bundle(ctx, action)
    forms = [f for a in members if (f := ctx.store.forms.get(str(a.payload["form_key"]))) is not None]
    if not forms:
        return skipped("the form was never created")
    counts = {f.form_key: ctx.store.responses.count(f.form_key) for f in forms}
    shown = {f.form_key: f for f in forms if counts[f.form_key] >= ctx.min_group_size}
    if str(action.payload["form_key"]) not in shown:  # the others' actions send theirs
        return skipped(f"fewer than {ctx.min_group_size} responses (min_group_size in club.yaml): no results "
                       "mail, so that nobody's answers can be told apart")
    group = ctx.backend.group
    todo, sent = parts(ctx, action.event_id, _suffix(action), [str(a.payload["form_key"]) for a in members],
                       f"group:{group.address}", set(shown), set(shown), str(action.payload["form_key"]))
    if not todo:
        return done(f"already sent in one mail with the other forms of {action.event_id} at this moment") \
            if sent else done("nobody to send to")
    out: list[Outgoing] = []
    for part in todo:
        items = [{**_item(shown[k]), "responses": counts[k],
                  "invited": ctx.store.forms.invited_count(k) or None, "summary_lines": results_lines(ctx, shown[k])}
                 for k in part.form_keys]
        values = {"event_title": _event_title(ctx, action), "forms": items}
        out += kit.group(ctx, dataclasses.replace(action, key=part.key), "form_closed", values, now)
    return out
