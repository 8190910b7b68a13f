"""The maths of quality audits: agreement between raters (`agreement`), accuracy with intervals and sample sizes
(`proportions`), and comparisons of two arms with their power (`comparisons`).

Pure functions over counts and numbers; no Django, no models, no database. Conventions shared by every function:

- Counts are non-negative integers. Impossible input (``successes > n``, negative counts, a confidence
  level outside (0, 1)) raises ``ValueError``: that is a caller's bug, not a property of the data.
- Where the data do not define an estimate (no audits, no discordant pairs, both groups constant), the
  function returns ``None``, or ``None`` in the affected field of its result, never a made-up number.
- Confidence levels and p-values are two-sided.
- Results are named tuples, so ``low, high = wilson_interval(...)`` works and so does ``.low``.
"""
