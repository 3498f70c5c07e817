"""Several tables in one run: the employee table and the line tables (deals, orders), each a file or a sheet.

`read_tables` reads every `--data` given (`FILE`, or `NAME=FILE` for a line table named by the
policy); `resolve` then binds each to its role once the policy's line tables are known: a
table named `NAME=`, or whose file stem or sheet name is a line table's name or label, is that
line table; the one table matching none is the employee table. Anything ambiguous is a usage
error that says what to write; nothing is guessed.
"""

from __future__ import annotations

import os

import attrs

from attain.diagnostics import AttainError, Diagnostic
from attain.i18n.messages import joined, say
from attain.io.tables import Table


@attrs.frozen
class Part:
    """One table given: the line table it was named for (`NAME=FILE`), its stem, its path and the table."""

    name: str | None
    stem: str
    path: str
    table: Table


@attrs.frozen
class DataSet(Table):
    """The employee table (this table's own rows) with the line tables of a run.

    `parts` is every table as given; `lines` (line table name -> Table) is set by `resolve`.
    """

    parts: tuple[Part, ...] = attrs.field(default=(), eq=False, kw_only=True, repr=False)
    lines: dict = attrs.field(factory=dict, eq=False, kw_only=True, repr=False)
    resolved: bool = attrs.field(default=False, eq=False, kw_only=True, repr=False)
    notes: dict = attrs.field(factory=dict, eq=False, kw_only=True, repr=False)  # (line, column) -> its source

    def roles(self) -> list[tuple[str, str]]:
        """(path, role) of every table: "employees" or "lines NAME", as the manifest records them."""
        out = []
        for part in self.parts:
            role = next((f"lines {name}" for name, t in self.lines.items() if t is part.table), None)
            out.append((part.path, role or "employees"))
        return out


def split_spec(spec: str) -> tuple[str | None, str]:
    """`deals=q1.csv` -> ("deals", "q1.csv"); a path without `=` (or one that exists as given) -> (None, path)."""
    name, sep, path = spec.partition("=")
    if not sep or os.path.exists(spec) or not name or os.sep in name or "/" in name:
        return None, spec
    return name, path


def data_set(parts: list[Part]) -> DataSet:
    """The tables given, the first one not named for a line table standing as the employee table until `resolve`."""
    first = next((p for p in parts if p.name is None), parts[0])
    return _as_employees(first.table, tuple(parts), {}, False)


def _as_employees(table: Table, parts: tuple[Part, ...], lines: dict, resolved: bool) -> DataSet:
    return DataSet(table.file, table.columns, table.rows, warnings=table.warnings, cells=table.cells,
                   header_line=table.header_line, parts=parts, lines=lines, resolved=resolved)


def resolve(data: Table, tables: dict[str, str | None]) -> Table:
    """`data` with each table bound to its role; `tables` is the policy's line tables (name -> label).

    A plain table (one file) is returned as it is when the policy has no line tables; with line
    tables it must be a DataSet that gives each of them.
    """
    if not tables:
        if isinstance(data, DataSet) and len(data.parts) > 1:
            return _bind(data, tables)  # says which file is not wanted
        return data
    if not isinstance(data, DataSet):
        data = DataSet(data.file, data.columns, data.rows, warnings=data.warnings, cells=data.cells,
                       header_line=data.header_line, parts=(Part(None, _stem(data.file), data.file, data),))
    if data.resolved:
        return data
    return _bind(data, tables)


def _bind(data: DataSet, tables: dict[str, str | None]) -> DataSet:
    lines: dict[str, Part] = {}
    employees: list[Part] = []
    names = {name: name for name in tables} | {label: name for name, label in tables.items() if label}
    for part in data.parts:
        if part.name is not None:
            if part.name not in names:
                raise AttainError([Diagnostic("U572", say("U572", name=part.name),
                                              hint=say("U572.hint", tables=joined(tables)) if tables
                                              else say("U572.none"))])
            chosen: str | None = names[part.name]
        else:
            chosen = names.get(part.stem)
        if chosen is None:
            employees.append(part)
            continue
        if chosen in lines:
            raise AttainError([Diagnostic("U570", say("U570", file=part.path, why=say(
                "U570.twice", other=lines[chosen].path, table=chosen)),
                hint=say("U570.hint", example=chosen, file=part.path))])
        lines[chosen] = part
    if len(employees) > 1:
        example = next(iter(tables), "deals")
        raise AttainError([Diagnostic("U570", say("U570", file=employees[1].path, why=say(
            "U570.two_employee", other=employees[0].path)), hint=say("U570.hint", example=example,
                                                                     file=employees[1].path))])
    if not employees:
        raise AttainError([Diagnostic("U573", say("U573"), hint=say("U573.hint"))])
    for name, label in tables.items():
        if name not in lines:
            found = _sheet(data.parts, name, label)
            if found is None:
                raise AttainError([Diagnostic("U571", say("U571", table=name), hint=say("U571.hint", table=name))])
            lines[name] = found
    return _as_employees(employees[0].table, data.parts, {name: p.table for name, p in lines.items()}, True)


def _sheet(parts: tuple[Part, ...], name: str, label: str | None) -> Part | None:
    """A line table kept in a sheet, named as the table (or its label), of a workbook given as --data."""
    from attain.io.readers import read_table
    from attain.io.xlsx import sheet_names

    for part in parts:
        if os.path.splitext(part.path)[1].lower() not in (".xlsx", ".xlsm"):
            continue
        for sheet in (name, label):
            if sheet is not None and sheet in sheet_names(part.path):
                return Part(name, sheet, part.path, read_table(part.path, sheet=sheet))
    return None


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def part_of(spec: str, table: Table, sheet: str | None = None) -> Part:
    """The Part for `--data spec` read as `table` (from `sheet` of a workbook, when given)."""
    name, path = split_spec(spec)
    return Part(name, sheet if sheet is not None else _stem(path), path, table)


def tables_of(base: Table | os.PathLike, lines: tuple[tuple[str, Table | os.PathLike], ...]) -> DataSet:
    """The employee table `base` and the line tables named in `lines` (tables, or files to read) as one DataSet."""
    from attain.io.readers import read_table

    def table(x: Table | os.PathLike) -> Table:
        return x if isinstance(x, Table) else read_table(x)

    first = table(base)
    parts = [Part(None, _stem(first.file), first.file, first)]
    parts += [Part(name, name, (t := table(x)).file, t) for name, x in lines]
    return data_set(parts)


def read_tables(data) -> Table:
    """What `Policy.run` takes, as a table: a Table, a path, or a list of paths and `NAME=FILE` (line tables)."""
    from attain.io.readers import read_table

    if isinstance(data, Table):
        return data
    if isinstance(data, (list, tuple)):
        return data_set([part_of(os.fspath(spec), read_table(split_spec(os.fspath(spec))[1])) for spec in data])
    return read_table(data)
