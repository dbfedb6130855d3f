"""A stateful fake of the Google APIs the project uses, served on 127.0.0.1.

See README.md in this directory for how tests point googleapiclient and gspread at it.
"""
from .errors import ApiError
from .server import FakeGoogle, Reply
from .sheets import FORMULA_MARKER, Cell

__all__ = ["ApiError", "Cell", "FORMULA_MARKER", "FakeGoogle", "Reply"]
