"""Reading the CSV files an admin saves from Excel or LibreOffice (rosters, the commission's scores).

Excel in a Russian locale saves with ``;`` and often in Windows-1251 ("CSV"), or UTF-16 with tabs
("Unicode Text" / «Текст Юникод»); LibreOffice and Google Sheets save UTF-8 with ``,``.
:func:`decode_csv` and :func:`sniff_delimiter` accept all of these.
"""

from __future__ import annotations

from pathlib import Path

from automation.errors import ValidationError


#: The byte order marks of UTF-16 (Excel's "Unicode Text" starts with the little-endian one).
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def is_utf16(raw: bytes) -> bool:
    """Whether ``raw`` starts with a UTF-16 byte order mark (its NUL bytes are then text, not a binary file)."""
    return raw[:2] in UTF16_BOMS


def decode_csv(raw: bytes, path: Path, error: type[ValidationError]) -> str:
    """The file's text: UTF-16 with a byte order mark, UTF-8 (with or without BOM), else Windows-1251.  Raises
    ``error`` naming ``path``."""
    for encoding in (("utf-16",) if is_utf16(raw) else ()) + ("utf-8-sig", "cp1251"):
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
