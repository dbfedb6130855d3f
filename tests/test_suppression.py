"""Small-cell and complementary suppression (automation.analysis.suppression): no hidden cell can be
worked out from a shown total and the other shown cells."""

from __future__ import annotations

import itertools

import pytest

from automation.analysis.suppression import TOTAL, protect, protect_table


def _derivable(cells: dict, hidden: set, k: int) -> set:
    """Hidden cells whose value is the only one consistent with what is shown (brute force: each
    hidden cell is 1..k-1 if it was small, else anything >= k; the total, when shown, must match)."""
    inner = [c for c in cells if c in hidden and c != TOTAL]
    if TOTAL in hidden or not inner:
        return set()
    shown_sum = sum(n for c, n in cells.items() if c not in hidden)
    total = sum(cells.values())
    ranges = [range(1, max(total, k) + 1) for _ in inner]
    seen = {c: set() for c in inner}
    for combo in itertools.product(*ranges):
        if shown_sum + sum(combo) == total:
            for c, v in zip(inner, combo):
                seen[c].add(v)
    return {c for c, vals in seen.items() if len(vals) == 1}


def test_exactly_one_small_group_does_not_leak_through_the_total():
    # the case: Чуйская 7, Нарынская 2, Всего 9 — Naryn must not be 9 − 7
    hidden = protect({"chui": 7, "naryn": 2}, 3)
    assert "naryn" in hidden and ("chui" in hidden or TOTAL in hidden)
    assert not _derivable({"chui": 7, "naryn": 2}, hidden, 3)


def test_only_one_group_hides_the_total():
    assert protect({"naryn": 2}, 3) == {"naryn", TOTAL}


def test_second_smallest_cell_is_the_complement():
    assert protect({"chui": 7, "osh": 5, "naryn": 2, "talas": 0}, 3) == {"naryn", "osh"}


def test_hidden_ones_are_not_left_alone():
    # two hidden cells of one person each: their sum (2) would say each is 1
    cells = {"chui": 9, "osh": 6, "naryn": 1, "talas": 1}
    hidden = protect(cells, 3)
    assert {"naryn", "talas"} <= hidden and len(hidden) == 3
    assert not _derivable(cells, hidden, 3)


def test_without_a_shown_total_only_small_cells_are_hidden():
    assert protect({"chui": 7, "naryn": 2}, 3, total=False) == {"naryn"}


def test_nothing_hidden_when_every_group_is_large():
    assert protect({"chui": 7, "naryn": 3}, 3) == set()


@pytest.mark.parametrize("seed", range(30))
def test_random_lines_never_leak(seed):
    import random

    rng = random.Random(seed)
    cells = {f"g{i}": rng.choice([0, 1, 2, 3, 4, 5, 8, 12]) for i in range(rng.randint(1, 5))}
    hidden = protect(cells, 3)
    assert not _derivable(cells, hidden, 3), (cells, hidden)
    assert all(c in hidden for c, n in cells.items() if 0 < n < 3)


def test_two_way_table_with_margins():
    # oblast x role: one small cell must take a second cell of its row AND of its column with it
    cells = {("chui", "deputy"): 7, ("chui", "activist"): 4, ("naryn", "deputy"): 2, ("naryn", "activist"): 5}
    hidden = protect_table(cells, 3)
    assert ("naryn", "deputy") in hidden
    for line in (["chui", "naryn", TOTAL],):
        for col in ("deputy", "activist", TOTAL):
            n_hidden = sum((r, col) in hidden for r in line)
            assert n_hidden != 1, (col, hidden)
    for row in ("chui", "naryn", TOTAL):
        n_hidden = sum((row, c) in hidden for c in ("deputy", "activist", TOTAL))
        assert n_hidden != 1, (row, hidden)


def _table_leaks(cells, hidden):
    from automation.analysis.suppression import _determined
    rows = sorted({r for r, _ in cells}, key=str)
    cols = sorted({c for _, c in cells}, key=str)
    full = {(r, c): cells.get((r, c), 0) for r in rows for c in cols}
    return _determined(full, hidden, rows, cols)


@pytest.mark.parametrize("seed", range(20))
def test_random_tables_never_leak_through_the_sums(seed):
    import random

    rng = random.Random(seed)
    cells = {(f"r{i}", f"c{j}"): rng.choice([0, 1, 2, 3, 5, 9]) for i in range(rng.randint(1, 4))
             for j in range(rng.randint(1, 3))}
    hidden = protect_table(cells, 3)
    assert all(rc in hidden for rc, n in cells.items() if 0 < n < 3)
    assert not _table_leaks(cells, hidden), (cells, hidden)
