"""Small-cell suppression with complementary suppression: the one privacy rule of every breakdown.

Source of the rule: DESIGN.md principle 8 ("Do no harm with the data": region and group
breakdowns hide groups smaller than a minimum size, default 3) and DOMAIN.md (the club's
participants are a few hundred women deputies, 10–40 at an event, a handful per oblast: a
number of one or two is a person).  The minimum is ``min_group_size`` in ``club.yaml``
(:data:`automation.analysis.summary.MIN_GROUP_SIZE`, 3, the seeds' smallest group reported).

The rule, for a breakdown whose cells add up to a total that is also shown:

1. **Primary suppression.** A cell of 1 .. ``k``−1 people (``k`` = ``min_group_size``) is hidden;
   a cell of 0 is shown (it names nobody).
2. **Complementary suppression.** A hidden cell must not be derivable from what is shown: when a
   line (the cells that add up to one shown total) has exactly one hidden cell, or its hidden cells
   hold one person each (their sum equals their number, so each is 1), the smallest shown non-zero
   cell of the line is hidden as well; when no cell is left to hide, the line's total is hidden
   instead.  Example: Чуйская 7, Нарынская 2, Всего 9 → Нарынская is hidden by (1), Чуйская by (2).
3. Everything computed from a hidden cell (a mean, a rate, a share) is hidden with it.

:func:`protect` applies the rule to one line (a breakdown and its total), :func:`protect_table`
to a table with row and column totals (each row and each column is a line; repeated until no
line changes).  Both return *which* cells to hide; the callers remove the numbers themselves
(NA in frames, None in JSON, the "менее 3" label in pages and workbooks).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

#: The key of a line's total in :func:`protect` and of the margins in :func:`protect_table`.
TOTAL = "__total__"


def _line(cells: dict[Hashable, int], hidden: set[Hashable], k: int) -> set[Hashable]:
    """The cells of one line (total under :data:`TOTAL`, when shown) to hide, ``hidden`` included."""
    out = set(hidden) | {c for c, n in cells.items() if c != TOTAL and 0 < n < k}
    if TOTAL not in cells or TOTAL in out:
        return out
    while True:
        inner = [c for c in out if c != TOTAL]
        if not inner:
            return out
        if len(inner) > 1 and sum(cells[c] for c in inner) > len(inner):
            return out
        shown = sorted((n, str(c), c) for c, n in cells.items() if c != TOTAL and c not in out and n > 0)
        if shown:
            out.add(shown[0][2])
        else:
            out.add(TOTAL)
            return out


def protect(cells: Mapping[Any, int], k: int, total: bool = True) -> set[Any]:
    """The keys of ``cells`` (group → people) to hide, with :data:`TOTAL` when the total must be
    hidden too.  ``total``: the line's total (the sum of the cells) is shown beside them — the
    only case where complementary suppression is needed; without it only small cells are hidden.

    >>> sorted(protect({"chui": 7, "naryn": 2}, 3))
    ['chui', 'naryn']
    >>> sorted(protect({"naryn": 2}, 3))
    ['__total__', 'naryn']
    >>> sorted(protect({"chui": 7, "osh": 5, "naryn": 2}, 3))
    ['naryn', 'osh']
    """
    c = {key: int(n) for key, n in cells.items()}
    if total:
        c[TOTAL] = sum(c.values())
    return _line(c, set(), k)


def _determined(full: dict[tuple[Hashable, Hashable], int], hidden: set[tuple[Hashable, Hashable]],
                rows: list[Hashable], cols: list[Hashable]) -> list[tuple[Hashable, Hashable]]:
    """Hidden cells whose value follows from the shown ones through the row and column sums alone
    (linear algebra: the cell's unit vector lies in the row space of the sums' equations)."""
    import numpy as np

    unknown = sorted(hidden, key=str)
    if not unknown:
        return []
    index = {c: i for i, c in enumerate(unknown)}
    eqs = []
    for r in [*rows, TOTAL]:
        eqs.append([(r, c) for c in cols] + [(r, TOTAL)])
    for c in [*cols, TOTAL]:
        eqs.append([(r, c) for r in rows] + [(TOTAL, c)])
    a = np.zeros((len(eqs), len(unknown)))
    for i, cells in enumerate(eqs):
        for j, cell in enumerate(cells):
            if cell in index:
                a[i, index[cell]] = -1.0 if j == len(cells) - 1 else 1.0
    rank = np.linalg.matrix_rank(a)
    out = []
    for cell, i in index.items():
        e = np.zeros((1, len(unknown)))
        e[0, i] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            out.append(cell)
    return out


def protect_table(cells: Mapping[tuple[Any, Any], int], k: int) -> set[tuple[Any, Any]]:
    """The cells of a two-way table (``(row, column)`` → people) to hide when its row totals
    ``(row, TOTAL)``, column totals ``(TOTAL, column)`` and grand total ``(TOTAL, TOTAL)`` are shown
    too.  Margins in the result are hidden margins; missing cells count as 0.

    Besides the rule of each line (:func:`protect`), a hidden cell must not follow from the row and
    column sums together (a hidden margin recomputed from the other direction, say): while one
    does, the smallest shown non-zero cell of its row or column is hidden too (an inner cell before
    a total)."""
    rows = sorted({r for r, _ in cells}, key=str)
    cols = sorted({c for _, c in cells}, key=str)
    full: dict[tuple[Hashable, Hashable], int] = {(r, c): int(cells.get((r, c), 0)) for r in rows for c in cols}
    for r in rows:
        full[(r, TOTAL)] = sum(full[(r, c)] for c in cols)
    for c in cols:
        full[(TOTAL, c)] = sum(full[(r, c)] for r in rows)
    full[(TOTAL, TOTAL)] = sum(full[(r, TOTAL)] for r in rows)
    hidden = {rc for rc, n in full.items() if 0 < n < k}
    while True:
        before = len(hidden)
        for r in [*rows, TOTAL]:
            line = {c: full[(r, c)] for c in [*cols, TOTAL]}
            hidden |= {(r, c) for c in _line(line, {c for c in line if (r, c) in hidden}, k)}
        for c in [*cols, TOTAL]:
            line = {r: full[(r, c)] for r in [*rows, TOTAL]}
            hidden |= {(r, c) for r in _line(line, {r for r in line if (r, c) in hidden}, k)}
        for r, c in _determined(full, hidden, rows, cols):
            near = [x for x in full if x not in hidden and full[x] > 0 and (x[0] == r or x[1] == c)]
            if near:
                hidden.add(min(near, key=lambda x: (TOTAL in x, full[x], str(x))))
                break
        if len(hidden) == before:
            return hidden
