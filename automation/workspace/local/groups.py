"""The group on the local backend is the roster itself: its members are the active participants."""

from __future__ import annotations

from automation.store import Store


class RosterGroup:
    """GroupPort where the roster is the list: mail to the group goes to every active participant.

    There is no membership to synchronise (``has_real_group`` is False on the
    backends that use it), and no ``note`` of its own.
    """

    note = ""

    def __init__(self, store: Store, address: str):
        self.store = store
        self.address = address

    def members(self) -> set[str]:
        """The addresses of the active participants of the roster (as stored: lower-case)."""
        return {p.email for p in self.store.roster.participants(active_only=True)}

    def apply(self, add: list[str], remove: list[str]) -> None:
        """Nothing to do: membership follows the roster, so there is never a difference to apply."""

    def envelope(self) -> list[str]:
        """The roster is the list: one message whose envelope holds every active member."""
        return sorted(self.members())
