"""The School of future deputies: coded applications, the commission's scores, the ranking, the selection.

Rules from seed 002_e910ca3b5de66dcd.txt (in Kyrgyz; DOMAIN.md "The School of
future deputies"), stage II «Өтүнмөлөрдү баалоо жана Мектептин катышуучуларынын
тизмесин түзүү»:

- every application gets a **code** and the commission sees codes, not names
  (DESIGN.md principle 8).  Codes are ``A-001``, ``A-002``, ... in submission
  order and are kept in the table ``school_codes`` of the state file, so an
  application keeps its code whatever arrives or is edited later
  (:mod:`.codes`).  Scores are checked against those codes only when the
  service coded the applications; a secretariat that coded paper applications
  by hand (``A01``) scores them with its own codes, written one way
  (:func:`.scores.code_form_problems`), with a note;
- each commission member scores each application **independently** on a 5-point
  scale per criterion (:data:`.criteria.CRITERIA`, weights 15/15/10/10/20/10/20),
  in her own scoring workbook (:mod:`.sheets`) or a scores CSV;
- the secretariat collects and checks the scores (:mod:`.scores`) and announces
  the result (:mod:`.mail`).

**Total** of an application = Σ over the 7 criteria of weight × (the members'
mean score on that criterion) ÷ 5, so all fives give 100 and all ones 20
(:func:`.scoring.score_applications`; computed with exact fractions so equal
totals are equal, then rounded to 2 decimals).  **Rank**: competition ranking
("1, 2, 2, 4") by total, ties listed by code.

**Agreement between members**: ``spread`` = max − min of the members' own
totals of an application (points out of 100; each member's total uses the same
weights), ``sd`` = their sample standard deviation (informational).  The
applications with the largest spread are **flagged** for discussion: the top
``flag_top`` by spread (ties at the boundary included; spread 0 is never
flagged) and/or every application whose spread is at least ``flag_spread``.
The inter-rater reliability coefficient is **Krippendorff's alpha** from the
``krippendorff`` package: ordinal, over the raw 1–5 scores with units =
application × criterion (``alpha``); interval over the members' totals per
application (``alpha_totals``).  Krippendorff's guidance: α ≥ 0.800 reliable,
0.667–0.800 tentative, below 0.667 discuss the criteria before ranking.

**Selection** (:func:`.selection.select`): target 20 women aged 28 or more and
10–20 under 28 (seed: "20 аял (28 жаштан жогору) жана 10-20 келин (28 жашка
толо электер)"); age in whole years on the School's first day (25 Jan 2021), so
a woman who turns 28 that very day counts as 28+; applicants under 18 are not
eligible (seed: "жашы 18ден жогору болушу керек").  Names are revealed only
once the ranking is **final** (:func:`.selection.finalize`);
:func:`.selection.accept` then adds the selected applicants to the roster with
source ``school``.

Modules: :mod:`.criteria` (the seed's constants and criteria), :mod:`.codes`
(applications, codes, ages, the commission's view), :mod:`.scores` (reading and
checking scores), :mod:`.scoring` (totals, ranking, agreement), :mod:`.selection`
(target sizes, the final list, the roster), :mod:`.sheets` (the members'
workbooks), :mod:`.commission` (``commission.yaml``), :mod:`.mail` (the result
mail), :mod:`.records` (the School's tables in the state file: all its SQL).
The demo's simulated applicants and commission are in :mod:`automation.demo.school`,
the command handlers in :mod:`automation.cli.school`.
"""
