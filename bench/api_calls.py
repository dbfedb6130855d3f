"""API calls per job against the fake Google (tests/fake_google), beside DESIGN.md's minimum and the naive way.

Run: .venv/bin/python bench/api_calls.py     (prints a Markdown table; takes about a minute)

Measured: every "ours" figure is counted by the fake (``fake.calls``) while the real adapter does the job.
Naive: by formula (the fake has no ``values.append`` and one-request-per-item is not worth running);
the formula is printed beside each figure.
"""

from __future__ import annotations

import math
import sys
import time
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from google.oauth2.credentials import Credentials  # noqa: E402

from automation.forms.templates import get_template  # noqa: E402
from automation.workspace.google import (Connection, DirectoryGroup, GmailMail, GoogleForms,  # noqa: E402
                                         GoogleSheets, Memo, RetryPolicy)
from automation.workspace.google.forms import PAGE_SIZE  # noqa: E402
from automation.workspace.google.groups import BATCH_SIZE  # noqa: E402
from fake_google import FakeGoogle  # noqa: E402
from test_contract import L, google_answers, make_answers  # noqa: E402

SCOPES = ["https://www.googleapis.com/auth/forms.body", "https://www.googleapis.com/auth/forms.responses.readonly",
          "https://www.googleapis.com/auth/drive.file", "https://www.googleapis.com/auth/spreadsheets",
          "https://www.googleapis.com/auth/gmail.send", "https://www.googleapis.com/auth/admin.directory.group.member"]


def connect(fake: FakeGoogle) -> Connection:
    creds = Credentials(token="tok")
    return Connection(creds, retry=RetryPolicy(sleep=lambda s: None), **fake.client_seams(creds))


def total(c: Counter) -> int:
    return sum(c.values())


def row(job: str, size: str, ours: Counter, minimum: int, naive: int, naive_how: str) -> str:
    detail = ", ".join(f"{k} {v}" for k, v in sorted(ours.items()))
    return f"| {job} | {size} | {total(ours)} ({detail}) | {minimum} | {naive} ({naive_how}) |"


def bench_forms(fake: FakeGoogle, conn: Connection, out: list[str]) -> None:
    for tid in ("event_feedback", "post_test", "needs_assessment", "school_application"):
        spec = get_template(tid)
        fake.reset_calls()
        GoogleForms(conn, Memo(None)).create_form(f"bench.{tid}", spec, L(2022, 9, 22, 18))
        q = len(spec.questions)
        items = q + len(spec.sections) - 1
        naive = 1 + items + (1 if spec.quiz else 0) + 1 + 1  # create + 1 createItem each + quiz + info + publish
        out.append(row("create a form", f"{tid}, Q={q}", Counter(fake.calls), 3, naive,
                       "formula: create + one batchUpdate per item + quiz settings + description + publish"))


def bench_sync(fake: FakeGoogle, conn: Connection, out: list[str]) -> None:
    spec = get_template("event_feedback")
    for n in (10, 1_000, 10_000):
        memo = Memo(None)
        forms = GoogleForms(conn, memo)
        created = forms.create_form(f"sync{n}", spec, L(2022, 9, 22, 18))
        t0 = time.perf_counter()
        for i in range(n):
            ans = make_answers(spec, i % 997, f"sync{n}")
            fake.forms.add_response(created.external_id, google_answers(spec, ans),
                                    respondent_email=f"p{i}@example.org", submitted_at=L(2022, 9, 16, 10))
        sheets = GoogleSheets(conn, memo, spreadsheet_title=f"Bench {n}")
        fake.reset_calls()
        got = forms.fetch_responses(f"sync{n}", created.external_id, spec, None)
        header = ["t", "e"] + [q.id for q in spec.questions]
        rows = [[str(r.submitted_at), r.respondent_email] + [str(r.answers.get(q.id, "")) for q in spec.questions]
                for r in got]
        sheets.write_responses(f"sync{n}", "Bench", header, rows)
        first = Counter(fake.calls)
        fake.reset_calls()
        forms.fetch_responses(f"sync{n}", created.external_id, spec, None)
        sheets.write_responses(f"sync{n}", "Bench", header, rows)
        again = Counter(fake.calls)
        pages = math.ceil(n / PAGE_SIZE)
        assert len(got) == n
        out.append(row("sync responses (first time)", f"N={n:,}", first, pages + 2,
                       pages + n + 1, "formula: responses.list pages + one gspread append_row per response + add sheet"))
        out.append(row("sync responses (again)", f"N={n:,}", again, pages + 1,
                       pages + n, "formula: list + append_row per response (or clear + append_row each)"))
        print(f"  sync N={n}: {time.perf_counter() - t0:.1f} s", file=sys.stderr)


def bench_mail(fake: FakeGoogle, conn: Connection, out: list[str]) -> None:
    mail = GmailMail(conn, can_read=False)
    for m in (50, 500, 5_000):
        members = [f"m{i}@example.org" for i in range(m)]
        msg = EmailMessage()
        msg["From"], msg["To"], msg["Subject"] = "admin@example.org", "club@example.org", "Bench"
        msg["Message-ID"] = f"<bench-group-{m}@example.org>"
        msg.set_content("Hello")
        fake.reset_calls()
        mail.send(msg, ["club@example.org"])  # a Workspace group: Google delivers to the members
        out.append(row("mail to the whole group (Workspace group)", f"members={m:,}", Counter(fake.calls), 1, m,
                       "formula: one message per member"))
        fake.reset_calls()
        msg.replace_header("Message-ID", f"<bench-roster-{m}@example.org>")
        mail.send(msg, members)  # gmail.com: the roster is the list, Bcc in batches
        out.append(row("mail to the whole group (gmail.com, roster as list)", f"members={m:,}", Counter(fake.calls),
                       math.ceil(m / 99), m, "formula: one message per member"))
        k = m // 5
        fake.reset_calls()
        for i in range(k):
            p = EmailMessage()
            p["From"], p["To"], p["Subject"] = "admin@example.org", members[i], "Reminder"
            p["Message-ID"] = f"<bench-rem-{m}-{i}@example.org>"
            p.set_content("Your link")
            mail.send(p, [members[i]])
        out.append(row("reminders with personal links", f"K={k:,} of {m:,}", Counter(fake.calls), k, k,
                       "the same: one message each"))


def bench_groups(fake: FakeGoogle, conn: Connection, out: list[str]) -> None:
    for m in (50, 500, 5_000):
        address = f"club{m}@example.org"
        members = [f"m{i}@example.org" for i in range(m)]
        fake.directory.add_group(address, members)
        roster = set(members[: m - m // 10]) | {f"new{i}@example.org" for i in range(m // 10)}
        d = len(roster ^ set(members))
        for label, target in (("D=0", set(members)), (f"D={d:,}", roster)):
            g = DirectoryGroup(conn, address)
            fake.reset_calls()
            have = g.members()
            add, remove = sorted(target - have), sorted(have - target)
            if add or remove:
                g.apply(add, remove)
            pages = math.ceil(m / 200)
            dd = len(add) + len(remove)
            out.append(row("group in line with the roster", f"members={m:,}, {label}", Counter(fake.calls),
                           pages + math.ceil(dd / BATCH_SIZE), pages + dd,
                           "formula: list pages + one insert/delete call per difference"))


def main() -> None:
    lines = ["| job | size | ours, measured (calls by endpoint) | minimum (DESIGN.md, with the API's page sizes) "
             "| naive |", "| --- | --- | --- | --- | --- |"]
    t = time.perf_counter()
    with FakeGoogle() as fake:
        fake.grant("tok", SCOPES)
        conn = connect(fake)
        bench_forms(fake, conn, lines)
        bench_sync(fake, conn, lines)
        bench_mail(fake, conn, lines)
        bench_groups(fake, conn, lines)
        assert not fake.internal_errors, fake.internal_errors
    print("\n".join(lines))
    print(f"\n(measured in {time.perf_counter() - t:.0f} s; responses.list page size {PAGE_SIZE}, members.list page "
          f"200, batch size {BATCH_SIZE}, Bcc batch 100)")


if __name__ == "__main__":
    main()
