"""What the compiled query gives for each output: its columns, and what only Python knows about them."""

from __future__ import annotations

import attrs


@attrs.frozen
class OutputShape:
    """One policy output as the compiled query returns it (columns out_<k>_n / out_<k>_d / out_<k>)."""

    name: str  # the output's name in the policy
    type: str  # its type as the checker gives it: "money", "percent", "number", "count", "text", "bool", ...
    places: int | None  # decimal places of its text, as attain.engine.runner.to_output uses them
    kind: str  # "fixed" (numerator column, static den), "pair" (numerator and denominator columns),
    #            "text", "bool" or "date" (one column)
    den: int | None = None  # the static denominator of a "fixed" output
    # proved bounds on |numerator| and the denominator wherever they are not NULL (None: unknown), from the
    # data's own largest values (`attain.sql.relation.with_bounds`): the text builders use them
    bounds: tuple[int | None, int | None] = (None, None)
