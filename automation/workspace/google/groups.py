"""The club's mailing list on Google: a Google Group (Workspace) or the roster itself (gmail.com).

* :class:`DirectoryGroup` — Google Workspace / Cloud Identity: the Admin SDK
  Directory ``members`` API.  :meth:`~DirectoryGroup.members` is one paginated
  ``members.list`` (200 a page); :meth:`~DirectoryGroup.apply` sends only the
  differences as ``members.insert`` / ``members.delete`` inside batch requests
  (``batch_size`` parts each), so a sync with nothing to change costs one call.
  Mail to the club is one message to the group address (:meth:`envelope`).
* :class:`RosterListGroup` — a gmail.com account: Google offers no groups API
  for consumer accounts (a Google Group made at groups.google.com cannot be
  managed by a program), so the roster is the list: mail to the club goes to
  the active participants in Bcc, split into messages of at most 100 recipients
  by the Gmail adapter, within the daily cap of the mail job.  ``roster
  sync-group`` has nothing to do and says so (:attr:`RosterListGroup.note`).
"""

from __future__ import annotations

import random
from typing import Any

from automation.errors import BackendError
from automation.workspace.local.groups import RosterGroup
from automation.workspace.google.api import Connection, error_details, lost_connection, translate

PAGE = 200
BATCH_SIZE = 100
MANAGERS = ("OWNER", "MANAGER")


class DirectoryGroup:
    """GroupPort on a Google Group through the Directory API (Workspace / Cloud Identity).

    ``apply`` never removes an OWNER or MANAGER (the admin who owns the group
    need not be in the roster); such addresses are listed in ``kept``.
    Per-part failures: an insert of an existing member (409) and a delete of an
    absent one (404) count as done; 429/5xx parts are retried in a later batch
    (bounded); other failures raise BackendError naming the addresses.
    """

    note = ""

    def __init__(self, connection: Connection, address: str, batch_size: int = BATCH_SIZE, max_rounds: int = 5):
        self.conn = connection
        self.address = address
        self.batch_size = batch_size
        self.max_rounds = max_rounds
        self.roles: dict[str, str] = {}
        self.kept: list[str] = []
        self._resource: Any = None

    @property
    def _members(self) -> Any:
        if self._resource is None:
            self._resource = self.conn.service("directory").members()
        return self._resource

    def members(self) -> set[str]:
        """Lower-case addresses of every member (all roles); one call per 200 members."""
        roles: dict[str, str] = {}
        token = None
        while True:
            kwargs: dict[str, Any] = {"groupKey": self.address, "maxResults": PAGE}
            if token:
                kwargs["pageToken"] = token
            page = self.conn.retry.call(self._members.list(**kwargs),
                                           f"list the members of {self.address}", "directory")
            for m in page.get("members", []):
                if m.get("email"):
                    roles[m["email"].lower()] = m.get("role", "MEMBER")
            token = page.get("nextPageToken")
            if not token:
                break
        self.roles = roles
        return set(roles)

    def envelope(self) -> list[str]:
        """The group delivers: one message to the group address."""
        return [self.address]

    def apply(self, add: list[str], remove: list[str]) -> None:
        """Insert ``add`` and delete ``remove`` in batches; no call when both are empty."""
        self.kept = [a for a in remove if self.roles.get(a.lower()) in MANAGERS]
        ops = [("insert", a) for a in add] + [("delete", a) for a in remove if a not in self.kept]
        failed: list[str] = []
        problem = ""
        for round_ in range(1, self.max_rounds + 1):
            if not ops:
                break
            retry_later: list[tuple[str, str]] = []
            for i in range(0, len(ops), self.batch_size):
                chunk = ops[i:i + self.batch_size]
                outcome: dict[str, Any] = {}

                def callback(request_id: str, response: Any, exception: Any) -> None:
                    outcome[request_id] = exception

                batch = self.conn.new_batch("directory", callback)
                for n, (op, email) in enumerate(chunk):
                    if op == "insert":
                        req = self._members.insert(groupKey=self.address, body={"email": email, "role": "MEMBER"})
                    else:
                        req = self._members.delete(groupKey=self.address, memberKey=email)
                    batch.add(req, request_id=str(n))
                self._execute_batch(batch)
                for n, (op, email) in enumerate(chunk):
                    exc = outcome.get(str(n))
                    if exc is None:
                        continue
                    status, _, message = error_details(exc)
                    if (op, status) in (("insert", 409), ("delete", 404)):
                        continue
                    if status == 429 or status >= 500:
                        retry_later.append((op, email))
                        problem = f"{status}: {message}"
                    else:
                        failed.append(f"{op} {email}: {message}")
            ops = retry_later
            if ops and round_ < self.max_rounds:
                self.conn.retry.sleep(min(32.0, 2 ** round_) * (0.5 + random.random() / 2))
        if ops:
            failed += [f"{op} {email}: Google kept answering {problem}" for op, email in ops]
        if failed:
            raise BackendError(f"{len(failed)} change(s) to the group {self.address} failed (the others were made; "
                               "the next sync retries):\n" + "\n".join(f"  - {f}" for f in failed))

    def _execute_batch(self, batch: Any) -> None:
        from googleapiclient.errors import HttpError

        attempts = self.conn.retry.num_retries + 1
        for attempt in range(1, attempts + 1):
            try:
                batch.execute()
                return
            except HttpError as e:
                status, _, _ = error_details(e)
                if (status == 429 or status >= 500) and attempt < attempts:
                    self.conn.retry.sleep(min(32.0, 2 ** attempt) * (0.5 + random.random() / 2))
                    continue
                raise translate(e, f"change the members of {self.address}", "directory") from None
            except Exception as e:
                if lost_connection(e, f"change the members of {self.address}"):  # inserts and deletes are safe to repeat (409/404 count as done)
                    if attempt < attempts:
                        self.conn.retry.sleep(min(32.0, 2 ** attempt) * (0.5 + random.random() / 2))
                        continue
                    raise BackendError(f"Could not reach Google to change the members of {self.address} ({e}); "
                                       "the next sync tries again.") from None
                raise


class RosterListGroup(RosterGroup):
    """GroupPort for a gmail.com account: the roster is the list (no groups API exists for it).

    :meth:`envelope` is every active participant's address; the Gmail adapter
    puts them in Bcc, at most 100 per message.  :meth:`apply` does nothing.
    """

    note = ("This Google account is a gmail.com account: Google offers no API to manage a Google Group for it, "
            "so the roster itself is the mailing list. Mail to the club goes to every active participant in Bcc "
            "(at most 100 addresses per message), with the club's address in To and Reply-To. "
            "There is no group to bring in line.")
