"""Changes to rate tables and curves: two versions of a `table` (or a `curve` block) -> sentences, cell by cell.

A table kept in a file is compared by what the file holds: `loaded` gives a policy's
tree with each table as its checked model read it, so a change to `rates.csv` shows as
the cells it changed, in policy terms.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from attain.dsl import nodes as n

__all__ = ["curve_changes", "describe_curve", "describe_table", "loaded", "table_changes"]


def loaded(tree: n.Policy, tables: dict[str, n.Table]) -> n.Policy:
    """`tree` with each table statement as the checker read it (the rows of a table file filled in)."""
    statements = tuple(tables.get(s.name, s) if isinstance(s, n.Table) else s for s in tree.statements)
    return attrs.evolve(tree, statements=statements)


def _key(row: n.TableRow) -> object:
    k = row.key
    if k.op == "text":
        return ("text", k.text)
    if k.op in ("else", "otherwise"):
        return (k.op,)
    return ("range", k.interval())


def _cells(cells) -> str:
    return " | ".join(c.text or str(c.value) for c in cells)


def _rows(rows) -> str:
    return "; ".join(f"{r.key.words()} -> {_cells(r.cells)}" for r in rows)


def describe_table(t: n.Table) -> str:
    source = f' from "{t.source}"' if t.source is not None else ""
    columns = f"columns {' | '.join(k.words() for k in t.columns)}; " if t.columns else ""
    return f"table{source}: {columns}{_rows(t.rows)}"


def describe_curve(c: n.Curve) -> str:
    from attain.diff.wording import expr_text

    return f"curve of {expr_text(c.subject)}: {_rows(c.rows)}"


def table_changes(key: str, old: n.Table, new: n.Table, out: list, change: Callable) -> None:
    """Each change of a table as a `change(text, old_span, new_span)` sentence."""
    if old.source != new.source or old.sheet != new.sheet:
        out.append(change(f"{key}: kept in {old.source or 'the policy'} -> {new.source or 'the policy'}",
                          old.source_span or old.span, new.source_span or new.span))
    columns = [k.words() for k in new.columns]
    if [k.words() for k in old.columns] != columns:
        out.append(change(f"{key}: columns {' | '.join(k.words() for k in old.columns) or '(none)'} -> "
                          f"{' | '.join(columns) or '(none)'}", old.span, new.span))
        columns_same = False
    else:
        columns_same = True

    def add(text, old_span=None, new_span=None):
        out.append(change(f"{key}: {text}", old_span or old.span, new_span or new.span))

    _row_changes(old.rows, new.rows, columns if columns_same else None, add)


def curve_changes(old: n.Curve, new: n.Curve, add) -> None:
    from attain.diff.wording import expr_text

    if old.subject != new.subject:
        add(f"curve of {expr_text(old.subject)} -> of {expr_text(new.subject)}")
    _row_changes(old.rows, new.rows, [], add)


def _row_changes(old_rows, new_rows, columns: list[str] | None, add) -> None:
    """Rows matched by key: changed cells (by column for a grid), rows added and removed."""
    old_by = {_key(r): r for r in old_rows}
    new_by = {_key(r): r for r in new_rows}
    for k, b in new_by.items():
        a = old_by.get(k)
        if a is None:
            add(f"row {b.key.words()} -> {_cells(b.cells)} added", None, b.span)
            continue
        if [c.value for c in a.cells] == [c.value for c in b.cells] and \
                [c.money or c.percent for c in a.cells] == [c.money or c.percent for c in b.cells]:
            continue
        if columns and len(a.cells) == len(b.cells) == len(columns):
            for name, ca, cb in zip(columns, a.cells, b.cells, strict=True):
                if ca != cb:
                    add(f"row {b.key.words()}, column {name}: {_cells([ca])} -> {_cells([cb])}", ca.span, cb.span)
        else:
            add(f"row {b.key.words()} now gives {_cells(b.cells)} instead of {_cells(a.cells)}", a.span, b.span)
    for k, a in old_by.items():
        if k not in new_by:
            add(f"row {a.key.words()} -> {_cells(a.cells)} removed", a.span, None)
