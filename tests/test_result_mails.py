"""Her test result by mail when the post-test closes (automation/jobs/result_mails.py; issue 15: "after a test she
never sees her score"), through the scheduler on the local backend."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from automation.app import make_context
from automation.config import load_config
from automation.context import Context
from automation.forms.templates import DEFAULT_DIR
from automation.jobs import mailings
from automation.jobs.result_mails import result_values
from automation.plan.actions import actions
from automation.roster import read_roster
from automation.scheduler import run_due
from automation.web.result import quiz_result
from automation.workspace.local import MaildirMail
from test_event_tests import PLAN, L, _setup

POST, PRE = "ws_a.post_test", "ws_a.post_test.pre"
KEY = f"{POST}.scores"


def _ctx(tmp_path: Path, show_answers: str = "after_deadline") -> Context:
    if show_answers != "after_deadline":  # the plan's own copy of the test, with another show_answers
        (tmp_path / "tests").mkdir()
        for name in ("law_budget.yaml", "bank.yaml"):
            src = (DEFAULT_DIR / "tests" / name).read_text(encoding="utf-8")
            (tmp_path / "tests" / name).write_text(
                src.replace("show_answers: after_deadline", f"show_answers: {show_answers}"), encoding="utf-8")
    c = make_context(load_config(_setup(tmp_path, PLAN.split("  - id: ws_b")[0])))
    c.store.roster.upsert(read_roster(tmp_path / "roster.csv").participants, source="test")
    return c


def _answers(ctx: Context, key: str, wrong: int) -> dict:
    """Answers to the form's graded questions: the first ``wrong`` of them wrong (or unanswered when the
    question has no wrong option), the rest right."""
    ans = {}
    graded = [q for q in ctx.store.forms.get(key).spec().questions if q.correct]
    for i, q in enumerate(graded):
        bad = [o.id for o in q.options if o.id not in q.correct][:1]
        pick = bad if i < wrong and bad else list(q.correct)
        ans[q.id] = pick if q.kind == "multiple_choice" else pick[0]
    return ans


def _ids(ctx: Context) -> dict[str, str]:
    """``p0`` → her participant id (the roster's p0@example.org)."""
    return {p.email.split("@")[0]: p.id for p in ctx.store.roster.participants()}


def _answer(ctx: Context, key: str, who: dict[str, int], now) -> dict[str, dict]:
    """``who`` (``p0`` → how many wrong) answer the form through their personal links; their answers by ``p0``."""
    links, ids = ctx.store.forms.links(key), _ids(ctx)
    out = {}
    for name, wrong in who.items():
        out[name] = _answers(ctx, key, wrong)
        ctx.backend.forms.submit(links[ids[name]], out[name], now=now)
    return out


def _mails(ctx: Context) -> list:
    return [m for m in ctx.backend.mail.messages() if m["X-Club-Action"] == KEY]


def _season(ctx: Context) -> tuple[dict[str, str], dict, dict]:
    """The pre-test (p0, p1 answer with 3 wrong; p2 all right), the post-test (p0 all right, p1 one wrong, p3 two
    wrong; p2 does not answer; p4, p5 answer nothing), run up to the minute before the post-test closes."""
    run_due(ctx, L(2022, 9, 13, 12))
    pre = _answer(ctx, PRE, {"p0": 3, "p1": 3, "p2": 0}, L(2022, 9, 13, 12, 5))
    run_due(ctx, L(2022, 9, 15, 17))
    post = _answer(ctx, POST, {"p0": 0, "p1": 1, "p3": 2}, L(2022, 9, 15, 17, 5))
    due = next(a.due for a in actions(ctx.plan) if a.key == KEY)
    run_due(ctx, due - timedelta(minutes=1))
    assert _mails(ctx) == []  # nothing before the post-test closes
    return {p.email.split("@")[0]: p.email for p in ctx.store.roster.participants()}, pre, post


def _text(m) -> str:
    return m.get_body(("plain",)).get_content()


def test_each_respondent_gets_one_mail_with_her_scores_and_wrong_answers_in_her_language(tmp_path):
    ctx = _ctx(tmp_path)
    emails, pre, post = _season(ctx)
    due = next(a.due for a in actions(ctx.plan) if a.key == KEY)
    ran = {r.action.key: r for r in run_due(ctx, due)}
    assert ran[KEY].status == "done" and "4 sent" in ran[KEY].detail
    mails = _mails(ctx)
    by = {m["To"]: m for m in mails}
    assert len(mails) == 4 and set(by) == {emails[p] for p in ("p0", "p1", "p2", "p3")}  # p4, p5: nothing
    spec = ctx.store.forms.get(POST).spec()
    n = spec.max_score

    p0 = _text(by[emails["p0"]])  # ru (even): pre 3 wrong, post all right
    assert by[emails["p0"]]["Subject"] == "Ваш результат теста — «Бюджет»"
    pre0 = quiz_result(spec, pre["p0"], "ru")["score"].removeprefix("Баллы: ")
    assert f"Пост-тест (после мероприятия): {n} из {n}." in p0 and f"Входной тест (до мероприятия): {pre0}." in p0
    assert "Рост по сравнению с входным тестом: +" in p0 and "Вы ответили верно на все вопросы. Поздравляем!" in p0
    assert "Правильный ответ" not in p0

    p1 = _text(by[emails["p1"]])  # ky (odd): pre 3 wrong, post 1 wrong
    assert by[emails["p1"]]["Subject"] == "Сиздин тесттин жыйынтыгы — «Бюджет»"
    web = quiz_result(spec, post["p1"], "ky")
    [wrong] = [x for x in web["items"] if not x["ok"]]
    assert web["score"] == f"Упай: {n - 1:g} / {n}"  # the same score as her result page
    assert f"Пост-тест (иш-чарадан кийин): {n - 1:g} / {n} упай." in p1 and "Алдын ала тест (иш-чарага чейин):" in p1
    assert (f"1. {wrong['title']}\nСиздин жообуңуз: {wrong['yours']}\nТуура жооп: {wrong['correct']}" in p1)
    assert "2. " not in p1 and "Ваш ответ" not in p1

    p2 = _text(by[emails["p2"]])  # ru: the pre-test only, all right
    assert "Пост-тест (после мероприятия) вы не проходили." in p2 and f"Входной тест (до мероприятия): {n} из {n}." in p2
    assert "Вы ответили верно на все вопросы входного теста." in p2

    p3 = _text(by[emails["p3"]])  # ky: the post-test only, two wrong
    assert f"Пост-тест (иш-чарадан кийин): {n - 2:g} / {n} упай." in p3 and "Алдын ала тест" not in p3
    assert p3.count("Туура жооп:") == 2

    for m in mails:  # personal: to her alone, never to the group
        assert m["To"] not in ("club@example.org",) and "club@example.org" not in str(m["Cc"] or "")
    # a second tick, and the action run again by hand, send nothing more
    run_due(ctx, due + timedelta(minutes=1))
    res = mailings.run(ctx, next(a for a in actions(ctx.plan) if a.key == KEY), due + timedelta(minutes=2))
    assert res.status == "done" and "0 sent" in res.detail and len(_mails(ctx)) == 4


def test_only_the_pre_test_shows_her_wrong_pre_test_answers():
    """Pure: someone who took only the pre-test sees its score, its wrong questions and the correct answers."""
    from automation.forms.testfile import load_test

    spec = load_test(DEFAULT_DIR / "tests" / "law_budget.yaml")
    q = next(q for q in spec.questions if q.correct and q.kind == "single_choice")
    bad = next(o.id for o in q.options if o.id not in q.correct)
    v = result_values(spec, None, spec, {q.id: bad})
    assert v["post"] is None and v["pre"] == {"score": "0", "max": f"{spec.max_score}"} and v["wrong_of"] == "pre"
    first = v["wrong"][0]
    assert first["yours"]["ru"] == q.option_label(bad, "ru") and first["correct"]["ky"] == q.option_label(q.correct[0], "ky")
    assert len(v["wrong"]) == sum(1 for x in spec.questions if x.correct)  # the unanswered ones too
    assert v["wrong"][1]["yours"] == {"ky": "жооп жок", "ru": "нет ответа"}


@pytest.mark.parametrize("show", ["never", "after_submit"])
def test_no_result_mail_unless_after_deadline(tmp_path, show):
    ctx = _ctx(tmp_path, show)
    _season(ctx)
    due = next(a.due for a in actions(ctx.plan) if a.key == KEY)
    ran = {r.action.key: r for r in run_due(ctx, due)}
    assert ran[KEY].status == "done" and f"show_answers is {show}" in ran[KEY].detail
    assert _mails(ctx) == []


def test_no_result_mail_when_nobody_answered(tmp_path):
    ctx = _ctx(tmp_path)
    due = next(a.due for a in actions(ctx.plan) if a.key == KEY)
    ran = {r.action.key: r for r in run_due(ctx, due)}
    assert ran[KEY].status == "done" and "nobody on the roster answered" in ran[KEY].detail
    assert _mails(ctx) == []


class _CrashAfter:
    """A mail backend that dies (as the process would) after ``k`` sends."""

    def __init__(self, inner, k):
        self.inner, self.k = inner, k

    def send(self, msg, envelope_to):
        if self.k == 0:
            raise SystemExit("crash")
        self.k -= 1
        return self.inner.send(msg, envelope_to)

    def find_sent(self, mid):
        return self.inner.find_sent(mid)


def test_a_crash_mid_send_resends_nothing_already_sent(tmp_path):
    ctx = _ctx(tmp_path)
    emails, _, _ = _season(ctx)
    action = next(a for a in actions(ctx.plan) if a.key == KEY)
    real = ctx.backend.mail
    ctx.backend.mail = _CrashAfter(real, 2)
    with pytest.raises(SystemExit):
        mailings.run(ctx, action, action.due)
    ctx.backend.mail = MaildirMail(real.path)  # a new process
    assert len(_mails(ctx)) == 2
    ran = {r.action.key: r for r in run_due(ctx, action.due + timedelta(minutes=1))}
    assert ran[KEY].status == "done" and "2 sent" in ran[KEY].detail
    to = [m["To"] for m in _mails(ctx)]
    assert sorted(to) == sorted(emails[p] for p in ("p0", "p1", "p2", "p3"))


def test_a_linked_participant_gets_her_result_in_her_private_chat_and_the_group_gets_nothing(tmp_path):
    """The result mail goes through the personal-mail hook: the same text to her linked private chat (as her
    invitations), nothing to the Telegram group or the group's address."""
    from automation.context import TelegramChannel
    from automation.workspace.telegram import BotApiTelegram
    from conftest import make_season
    from fake_telegram import FakeTelegram

    group, chat, post_key = -1001234567890, 555001, "ws_law_budget.post_test"
    with FakeTelegram() as fake:
        fake.add_group(group, "Клуб депутаток")
        port = BotApiTelegram(fake.token, api_url=fake.url, sleep=lambda s: None, timeout=3.0)
        try:
            ctx = make_season(tmp_path, telegram=TelegramChannel(group, port, "", "club_bot"))
            acts = {a.key: a for a in actions(ctx.plan)}
            pre_c, pre_i = acts[f"{post_key}.pre.create"], acts[f"{post_key}.pre.invitation"]
            run_due(ctx, pre_i.due, [pre_c, pre_i])
            her = ctx.store.roster.participants()[0]
            fake.user_says(chat, f"/start {ctx.store.telegram.link_of(her.id).code}")
            run_due(ctx, pre_i.due, [])
            ctx.backend.forms.submit(ctx.store.forms.links(f"{post_key}.pre")[her.id],
                                     _answers(ctx, f"{post_key}.pre", 4), now=pre_i.due + timedelta(hours=1))
            post_c, post_i = acts[f"{post_key}.create"], acts[f"{post_key}.invitation"]
            run_due(ctx, post_i.due, [post_c, post_i])
            ctx.backend.forms.submit(ctx.store.forms.links(post_key)[her.id], _answers(ctx, post_key, 1),
                                     now=post_i.due + timedelta(hours=1))
            scores = acts[f"{post_key}.scores"]
            ran = run_due(ctx, scores.due, [acts[f"{post_key}.close"], acts[f"{post_key}.sync"], scores])
            assert [r.status for r in ran] == ["done"] * 3 and "1 sent" in ran[-1].detail
            title = ctx.plan.event("ws_law_budget").title.get(her.language)
            subject = {"ky": "Сиздин тесттин жыйынтыгы", "ru": "Ваш результат теста"}[her.language]
            private = fake.chats[chat].texts()[-1]
            assert private.startswith(f"{subject} — «{title}»") and her.name in private
            assert ("Туура жооп:" if her.language == "ky" else "Правильный ответ:") in private
            assert not any(subject in m["text"] for m in fake.group_messages(group))
            [mail] = [m for m in ctx.backend.mail.messages() if m["X-Club-Action"] == scores.key]
            assert mail["To"] == her.email and mail["Bcc"] is None
        finally:
            port.close()


def test_an_extended_post_test_sends_the_results_at_its_new_deadline(tmp_path):
    from automation.manual import extend_deadline

    ctx = _ctx(tmp_path)
    _season(ctx)
    due = next(a.due for a in actions(ctx.plan) if a.key == KEY)
    extend_deadline(ctx, POST, due + timedelta(days=2), by="admin", now=due - timedelta(hours=1))
    ctx = make_context(load_config(tmp_path / "club.yaml"))  # the service reads the stored deadline
    run_due(ctx, due + timedelta(minutes=1))
    assert _mails(ctx) == [] and ctx.store.forms.get(POST).status == "open"
    ran = {r.action.key: r for r in run_due(ctx, due + timedelta(days=2))}
    assert ran[KEY].status == "done" and len(_mails(ctx)) == 4
