"""The schema of the state file, as numbered migrations; ``meta.schema_version`` records the last applied.

Each migration is a list of SQL statements applied in one transaction by
:class:`automation.store.db.Database` when a file lacks it.  Never edit a
migration that has shipped: add the next number.

1. The core tables, as the first release wrote them (``schema_version`` 1):
   ``meta``, ``participants`` (the roster), ``ledger`` (plan actions that ran or
   were skipped), ``forms``, ``form_links`` (personal links), ``responses``,
   ``deliveries`` (the delivery ledger, one row per message), ``reports``
   (data hash of each built report).  Times are UTC ISO 8601 strings.
2. The School of future deputies' tables (``school_codes``, ``school_results``,
   ``school_meta``) and the graduates' ``outcomes``, which earlier versions
   created on first use outside the store (``IF NOT EXISTS`` keeps the rows of a
   file that already has them).
3. The Telegram channel (docs/TELEGRAM.md): ``telegram_posts`` (one row per message the bot posts or
   will post: intent recorded before the call, Telegram's ``message_id`` after) and ``telegram_links``
   (a participant's personal code and the private chat she linked with ``/start <code>``).
4. ``submissions``: the submission key (idempotency key) each web-form submission
   carried and the response it stored, so a submission sent again (a retry after
   a lost connection) is recognised as the same response and stores nothing.
5. ``alerts``: one row per problem the admin is told about at once (an action that
   failed or was skipped, a message whose outcome is unknown), with the alert
   mail that told her and when she handled it.
6. The admin's console: ``console_users`` (accounts with a role and an argon2
   password hash), ``audit_log`` (who did what, when) and ``action_holds``
   (plan actions the admin has put on hold: the scheduler does not run them), ``form_deadlines``
   (a form's deadline extended in the console, which wins over the plan's), and ``school_scores``
   (the commission's scores entered in the console, one per application, member and criterion).
7. Forms that say what they are and can be corrected (issue 15): ``forms.context_json``
   (the event's title and times and the admin's contact, for the form pages),
   ``responses.template_version`` (the version of the form each response answered;
   NULL for responses stored before), and ``form_versions`` (every earlier version of
   a form's spec and deadline, kept when the form is edited after it went out).
"""

from __future__ import annotations

import sqlite3

_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS participants (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE, phone TEXT NOT NULL DEFAULT '',
    oblast TEXT NOT NULL DEFAULT '', municipality TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT 'other',
    language TEXT NOT NULL DEFAULT 'ru', sex TEXT NOT NULL DEFAULT 'f', active INTEGER NOT NULL DEFAULT 1,
    joined_at TEXT NOT NULL, left_at TEXT, source TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS ledger (
    key TEXT PRIMARY KEY, kind TEXT NOT NULL, event_id TEXT NOT NULL, due TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'skipped', 'failed', 'deferred')),
    finished_at TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS forms (
    form_key TEXT PRIMARY KEY, template_id TEXT NOT NULL, template_version INTEGER NOT NULL, kind TEXT NOT NULL,
    event_id TEXT NOT NULL, pre_test INTEGER NOT NULL DEFAULT 0, audience TEXT NOT NULL DEFAULT 'roster',
    backend TEXT NOT NULL, external_id TEXT NOT NULL, url TEXT NOT NULL, spec_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')), opens TEXT NOT NULL, deadline TEXT NOT NULL,
    created_at TEXT NOT NULL, closed_at TEXT, last_synced_at TEXT, sync_cursor TEXT
);
CREATE TABLE IF NOT EXISTS form_links (
    form_key TEXT NOT NULL, participant_id TEXT NOT NULL, token TEXT NOT NULL UNIQUE,
    PRIMARY KEY (form_key, participant_id)
);
CREATE TABLE IF NOT EXISTS responses (
    form_key TEXT NOT NULL, response_id TEXT NOT NULL, participant_id TEXT, respondent_email TEXT,
    submitted_at TEXT NOT NULL, answers_json TEXT NOT NULL, raw_json TEXT NOT NULL, source TEXT NOT NULL,
    PRIMARY KEY (form_key, response_id)
);
CREATE INDEX IF NOT EXISTS responses_participant ON responses (participant_id);
CREATE TABLE IF NOT EXISTS deliveries (
    message_id TEXT PRIMARY KEY, action_key TEXT NOT NULL, recipient TEXT NOT NULL, language TEXT NOT NULL,
    subject TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'unknown')),
    provider_id TEXT, error TEXT, queued_at TEXT NOT NULL, sent_at TEXT, send_day TEXT NOT NULL,
    n_recipients INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS deliveries_action ON deliveries (action_key);
CREATE TABLE IF NOT EXISTS reports (name TEXT PRIMARY KEY, data_hash TEXT NOT NULL, built_at TEXT NOT NULL, path TEXT NOT NULL)
"""

_V2 = """
CREATE TABLE IF NOT EXISTS school_codes (
    code TEXT PRIMARY KEY, form_key TEXT NOT NULL, response_id TEXT NOT NULL, assigned_at TEXT NOT NULL,
    UNIQUE (form_key, response_id)
);
CREATE TABLE IF NOT EXISTS school_results (
    code TEXT PRIMARY KEY, total REAL NOT NULL, rank INTEGER NOT NULL, spread REAL NOT NULL,
    flagged INTEGER NOT NULL, age INTEGER, age_group TEXT NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS school_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outcomes (
    participant_id TEXT PRIMARY KEY, graduated INTEGER, elected INTEGER, election TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL, source TEXT NOT NULL DEFAULT ''
)
"""

_V3 = """
CREATE TABLE IF NOT EXISTS telegram_posts (
    post_key TEXT PRIMARY KEY, action_key TEXT NOT NULL, event_id TEXT NOT NULL DEFAULT '', chat_id INTEGER NOT NULL,
    audience TEXT NOT NULL CHECK (audience IN ('group', 'private')), part INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('text', 'document')), body TEXT NOT NULL, path TEXT,
    fingerprint TEXT NOT NULL DEFAULT '', reply_to_key TEXT,
    status TEXT NOT NULL CHECK (status IN ('pending', 'posting', 'posted', 'unknown', 'failed', 'cancelled')),
    message_id INTEGER, error TEXT, created_at TEXT NOT NULL, posted_at TEXT, expires TEXT, edited_at TEXT
);
CREATE INDEX IF NOT EXISTS telegram_posts_action ON telegram_posts (action_key);
CREATE TABLE IF NOT EXISTS telegram_links (
    participant_id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, chat_id INTEGER, linked_at TEXT, stopped_at TEXT
)
"""

_V4 = """
CREATE TABLE IF NOT EXISTS submissions (
    form_key TEXT NOT NULL, submission_key TEXT NOT NULL, response_id TEXT NOT NULL, participant_id TEXT,
    received_at TEXT NOT NULL,
    PRIMARY KEY (form_key, submission_key)
)
"""

_V5 = """
CREATE TABLE IF NOT EXISTS alerts (
    problem TEXT PRIMARY KEY, action_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('failed', 'skipped', 'unknown')), detail TEXT NOT NULL,
    raised_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    message_id TEXT, sent_at TEXT, handled_at TEXT
);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status)
"""

_V6 = """
CREATE TABLE IF NOT EXISTS console_users (
    email TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('admin', 'mentor', 'commission')),
    password_hash TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL DEFAULT '',
    password_changed_at TEXT NOT NULL, last_login_at TEXT
);
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at);
CREATE TABLE IF NOT EXISTS action_holds (
    key TEXT PRIMARY KEY, held_by TEXT NOT NULL, held_at TEXT NOT NULL, reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS form_deadlines (
    form_key TEXT PRIMARY KEY, deadline TEXT NOT NULL, set_by TEXT NOT NULL, set_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS school_scores (
    code TEXT NOT NULL, member TEXT NOT NULL, criterion INTEGER NOT NULL, score INTEGER NOT NULL,
    updated_at TEXT NOT NULL, PRIMARY KEY (code, member, criterion)
)
"""

_V7 = """
ALTER TABLE forms ADD COLUMN context_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE responses ADD COLUMN template_version INTEGER;
CREATE TABLE IF NOT EXISTS form_versions (
    form_key TEXT NOT NULL, version INTEGER NOT NULL, spec_json TEXT NOT NULL, deadline TEXT NOT NULL,
    replaced_at TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', PRIMARY KEY (form_key, version)
)
"""

#: (number, name, SQL script), in order.
MIGRATIONS: list[tuple[int, str, str]] = [
    (1, "core tables", _V1),
    (2, "school and outcomes tables", _V2),
    (3, "telegram posts and links", _V3),
    (4, "web-form submission keys", _V4),
    (5, "alerts table", _V5),
    (6, "console accounts, audit log, held actions, deadlines, school scores", _V6),
    (7, "form context, form versions, the version each response answered", _V7),
]

#: The schema this program writes; a file with a higher number is refused.
SCHEMA_VERSION = MIGRATIONS[-1][0]


def current_version(con: sqlite3.Connection) -> int:
    """The file's ``meta.schema_version`` (0 for a new, empty file)."""
    if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone() is None:
        return 0
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0
