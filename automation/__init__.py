"""Automation service of the club of women deputies of local keneshes (АМУЦА).

Runs the club's year: a plan of events becomes dated actions (forms, mailings,
syncs, reports) that run on a local backend (SQLite, .xlsx, Maildir/SMTP, local
web forms) or on Google Workspace.
"""

__version__ = "0.1.0"
