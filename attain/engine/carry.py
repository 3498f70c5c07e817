"""Data columns carried into results beside the outputs (姓名, 部门): one value per employee and period.

A result row stands for one record, which may have been made from several data rows (dated
rows, or months rolled up into a quarter). A carried column gives the record the one value its
rows agree on (empty rows aside). A column that the policy does not read is carried by
default only where every record's rows agree on it; a column asked for by name that differs
within a record is an error naming the rows, never a value picked among several.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from attain.diagnostics import AttainError, Diagnostic
from attain.engine.bind import DATE_COLUMNS, PERIOD_COLUMNS, Bound, Record
from attain.i18n.messages import joined, say
from attain.io import Table

# `carry=UNREAD`: every data column the policy does not read.
UNREAD = "unread"


def read_columns(bound: Bound, by_parts: Iterable[str] = ()) -> frozenset[str]:
    """The data columns a run reads: its inputs' columns, the id, the period or date, and those of the policies
    it uses."""
    read = {*bound.columns.values(), bound.id_column, *by_parts}
    if bound.period_column is not None:
        read.add(bound.period_column)
    return frozenset(read)


def choose(carry: Sequence[str] | str, table: Table, read: frozenset[str], added: Sequence[str],
           outputs: Sequence[str], present: Sequence[str]) -> tuple[list[str], bool]:
    """The columns to carry, and whether they were named (so a value that differs within a record is an error).

    `added` are the columns a used policy put into the table (its outputs), which are not data;
    `present` the columns every result row has (the id, the period).
    """
    data_columns = [c for c in table.columns if c not in added]
    if carry == UNREAD:
        skip = {*read, *PERIOD_COLUMNS, *DATE_COLUMNS, *outputs}
        return [c for c in data_columns if c not in skip], False
    chosen = list(dict.fromkeys(carry))
    for column in chosen:
        if column not in data_columns:
            close = difflib.get_close_matches(column, data_columns, n=1)
            raise AttainError([Diagnostic("U564", say("U564", column=column, file=table.file),
                                          hint=say("did_you_mean", close=f"'{close[0]}'") if close else
                                          say("columns", names=joined(data_columns)))])
        if column in outputs or column in present:
            raise AttainError([Diagnostic("U565", say("U565", column=column), hint=say("U565.hint"))])
    return chosen, True


def carried(table: Table, records: Sequence[Record], columns: Sequence[str], named: bool) -> tuple[list[dict],
                                                                                                  list[str]]:
    """Each record's values of `columns` (text or None), and the columns kept.

    Unnamed columns (`named` False) whose rows disagree within some record are left out; a named one is U566.
    """
    by_line = {row.line: row.cells for row in table.rows}
    lines_of = [_lines(r) for r in records]
    values: list[dict] = [{} for _ in records]
    kept = []
    for column in columns:
        column_values = []
        for record, lines in zip(records, lines_of, strict=True):
            found = {by_line[line].get(column) for line in lines if line in by_line} - {None}
            if len(found) > 1:
                if named:
                    shown = joined(str(line) for line in sorted(lines))
                    who = say("who.for", who=record.who, period=record.period) if record.period is not None \
                        else record.who
                    raise AttainError([Diagnostic(
                        "U566", say("U566", column=column, who=who, file=table.file, lines=shown),
                        hint=say("U566.hint"))])
                break
            column_values.append(found.pop() if found else None)
        else:
            kept.append(column)
            for row, value in zip(values, column_values, strict=True):
                row[column] = value
    return values, kept


def _lines(record: Record) -> set[int]:
    lines = {record.line}
    for taken in record.lines:
        lines.update(taken)
    return lines
