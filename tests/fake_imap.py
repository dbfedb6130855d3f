"""A small fake IMAP server on 127.0.0.1 for the tests and bench/smtp_crash_trials.py.

It speaks just enough IMAP4rev1 for :mod:`imaplib`: CAPABILITY, LOGIN, SELECT/EXAMINE,
``SEARCH HEADER <field> <string>``, NOOP, LOGOUT.  Folders hold raw RFC 5322 messages
(``server.folders["Sent"]``); ``refuse_search_header`` makes it answer ``NO`` to
``SEARCH HEADER``, as a pessimistic server may.  :class:`FilingSmtpHandler` is an aiosmtpd
handler that files every message it accepts into the Sent folder, as a provider does.
"""

from __future__ import annotations

import re
import socketserver
import threading
from email.parser import BytesHeaderParser
from typing import Any

_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')


def _tokens(line: str) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", q) if q or m.group(0) == '""' else a
            for m in _TOKEN.finditer(line) for q, a in [m.groups()]]


class FakeImap(socketserver.ThreadingTCPServer):
    """The server: ``folders`` name → list of raw messages; ``users`` name → password; ``commands`` seen."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, users: dict[str, str] | None = None) -> None:
        self.folders: dict[str, list[bytes]] = {"INBOX": [], "Sent": []}
        self.users = users if users is not None else {"club@example.org": "secret"}
        self.refuse_search_header = False
        self.commands: list[str] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        self.port = self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def start(self) -> "FakeImap":
        """Serve in a background thread; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()

    def file(self, folder: str, data: bytes) -> None:
        """Put a message into ``folder``."""
        with self.lock:
            self.folders.setdefault(folder, []).append(data)


class _Handler(socketserver.StreamRequestHandler):
    server: FakeImap

    def _send(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:  # noqa: C901 (one branch per command)
        self._send("* OK fake IMAP4rev1 ready")
        user: str | None = None
        folder: str | None = None
        for raw in self.rfile:
            line = raw.decode(errors="replace").rstrip("\r\n")
            toks = _tokens(line)
            if len(toks) < 2:
                self._send("* BAD empty command")
                continue
            tag, cmd, args = toks[0], toks[1].upper(), toks[2:]
            with self.server.lock:
                self.server.commands.append(" ".join([cmd, *args]))
            if cmd == "CAPABILITY":
                self._send("* CAPABILITY IMAP4rev1 AUTH=PLAIN")
                self._send(f"{tag} OK CAPABILITY completed")
            elif cmd == "NOOP":
                self._send(f"{tag} OK NOOP completed")
            elif cmd == "LOGIN" and len(args) == 2:
                if self.server.users.get(args[0]) == args[1]:
                    user = args[0]
                    self._send(f"{tag} OK LOGIN completed")
                else:
                    self._send(f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
            elif cmd in ("SELECT", "EXAMINE") and len(args) == 1:
                if user is None:
                    self._send(f"{tag} BAD not authenticated")
                elif args[0] not in self.server.folders:
                    self._send(f"{tag} NO [NONEXISTENT] no such folder")
                else:
                    folder = args[0]
                    self._send(f"* {len(self.server.folders[folder])} EXISTS")
                    self._send("* 0 RECENT")
                    self._send(f"{tag} OK [{'READ-ONLY' if cmd == 'EXAMINE' else 'READ-WRITE'}] {cmd} completed")
            elif cmd == "SEARCH":
                if folder is None:
                    self._send(f"{tag} BAD no folder selected")
                elif len(args) == 3 and args[0].upper() == "HEADER":
                    if self.server.refuse_search_header:
                        self._send(f"{tag} NO [CANNOT] SEARCH HEADER is not supported here")
                        continue
                    field, value = args[1], args[2].lower()
                    with self.server.lock:
                        msgs = list(self.server.folders[folder])
                    hits = [str(i) for i, m in enumerate(msgs, 1)
                            if value in str(BytesHeaderParser().parsebytes(m).get(field, "")).lower()]
                    self._send("* SEARCH" + "".join(" " + h for h in hits))
                    self._send(f"{tag} OK SEARCH completed")
                else:
                    self._send(f"{tag} BAD only SEARCH HEADER is supported")
            elif cmd == "LOGOUT":
                self._send("* BYE logging out")
                self._send(f"{tag} OK LOGOUT completed")
                return
            else:
                self._send(f"{tag} BAD unknown command")


class FilingSmtpHandler:
    """An aiosmtpd handler: accepts every message, keeps ``(recipients, bytes)`` and files it in ``imap``'s Sent."""

    def __init__(self, imap: FakeImap | None = None, folder: str = "Sent") -> None:
        self.imap, self.folder = imap, folder
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        """Keep the message, file it, answer 250."""
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        if self.imap is not None:
            self.imap.file(self.folder, envelope.content)
        return "250 OK"
