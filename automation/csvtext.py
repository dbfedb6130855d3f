"""Reading the CSV files an admin saves from Excel or LibreOffice (rosters, the commission's scores).

Excel in a Russian locale saves with ``;`` and often in Windows-1251; LibreOffice and Google
Sheets save UTF-8 with ``,``.  :func:`decode_csv` and :func:`sniff_delimiter` accept all of these.
"""

from __future__ import annotations

from pathlib import Path

from automation.errors import ValidationError


def decode_csv(raw: bytes, path: Path, error: type[ValidationError]) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1251.  Raises ``error`` naming ``path``."""
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise error(str(path), ["the file is not text in UTF-8 or Windows-1251: save it as CSV UTF-8"])


def sniff_delimiter(header_line: str) -> str:
    """``;`` or a tab when the header line has more of them than commas, else ``,``."""
    commas = header_line.count(",")
    if header_line.count(";") > commas:
        return ";"
    return "\t" if header_line.count("\t") > commas else ","
