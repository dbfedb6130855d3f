"""``python main.py google selftest``: the admin's one-time check of what cannot be settled offline (docs/GOOGLE.md)."""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from automation.cli.common import service_from


def cmd_selftest(args: argparse.Namespace) -> int:
    """Make a throwaway form, spreadsheet and mail to the admin, print what Google did, delete them, and write the
    sanitized exchanges.  Exit 0 when every check is ok, 1 when something differs or could not be checked."""
    from automation.workspace.google.api import Connection
    from automation.workspace.google.auth import load_credentials
    from automation.workspace.google.selftest import SelfTest, report

    svc = service_from(args, quiet=True)
    auth = svc.google_sign_in()
    loaded = load_credentials(auth.credentials, auth.scopes, token_path=auth.token, delegated_user=auth.delegated_user)
    to = args.to or svc.plan.club.admin_email
    test = SelfTest(Connection(loaded.credentials), to, responders=str((svc.config.google or {}).get("responders")
                                                                        or "anyone"))
    print(f"Google selftest: a form, a spreadsheet (both deleted at the end) and one mail to {to}.")
    checks = test.run()
    print(report(checks))
    folder = Path(args.out) if args.out else Path(svc.config.out) / "google-selftest"
    written = test.write(folder, commit=_commit())
    print(f"{len(written)} exchanges written, sanitized, to {folder} (the format of tests/google_recordings/; "
          "review them before sharing).")
    return 0 if all(c.status == "ok" for c in checks) else 1


def _commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
        return out.stdout.strip() if out.returncode == 0 else ""
    except OSError:
        return ""
