"""Rendering: a `DiffReport` (changes and impact) -> the text, JSON or CSV that `attain diff` prints.

Text is for a terminal (grouped numbers, aligned columns, control characters
escaped); JSON and CSV carry exact values as plain decimal strings, never floats.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata

import attrs

from attain import api
from attain.diff.changes import Change
from attain.diff.impact import Impact, PayoutTotal, RowImpact, is_number
from attain.io import format_grouped, format_number
from attain.versions import Versions

__all__ = ["DiffReport"]


def _signed(value) -> str:
    """+850.00, -1,200.00, 0.00: a change as it reads in a table."""
    if not is_number(value):
        return "" if value is None else str(value)
    text = format_grouped(value)
    return "+" + text if value > 0 else text


def _plain(value) -> str:
    """A value in CSV: exact, no grouping; dates as ISO text; None empty."""
    if value is None or isinstance(value, (bool, str)) or is_number(value):
        return format_number(value)
    return str(value)


def _json_value(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if is_number(value):
        return format_number(value)
    return str(value)


def _shown_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, (bool, str)) or is_number(value):
        text = format_grouped(value)
    else:
        text = str(value)
    if text.isprintable():
        return text
    # Control characters from data must not reach the terminal.
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) == "Cc" else ch
                   for ch in text)


def _width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
               for ch in text)


def _table(header: list[str], rows: list[list[str]], right: set[int], indent: str = "  ") -> list[str]:
    widths = [max(_width(c) for c in col) for col in zip(header, *rows, strict=False)]

    def line(cells):
        parts = []
        for i, (text, w) in enumerate(zip(cells, widths, strict=False)):
            pad = " " * (w - _width(text))
            parts.append(pad + text if i in right else text + pad)
        return (indent + "  ".join(parts)).rstrip()

    return [line(header), indent + "  ".join("-" * w for w in widths)] + [line(r) for r in rows]


def _plural(k: int, one: str, many: str | None = None) -> str:
    return f"{k} {one if k == 1 else (many or one + 's')}"


_CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value) -> str:
    if isinstance(value, str):
        return "'" + value if value.startswith(_CSV_FORMULA_START) else value
    return _plain(value)


@attrs.frozen
class DiffReport:
    """What changed between two policy versions and whom it affects, renderable as text, JSON or CSV."""

    old_name: str
    new_name: str
    data_name: str
    old: api.Policy | Versions
    new: api.Policy | Versions
    changes: tuple[Change, ...]
    impact: Impact
    # Folders of versions: (periods, old version, new version, their changes) for each pair in force together.
    pairs: tuple = ()

    # -- text
    def text(self) -> str:
        imp = self.impact
        out = [f"attain diff: {self.old_name}{_version(self.old)} -> {self.new_name}{_version(self.new)}",
               f"data: {self.data_name} ({_plural(imp.employees, 'employee')})", ""]
        if self.pairs:
            for periods, a, b, changes in self.pairs:
                out.append(f"{_periods(periods)}: {a.tree.file}{_version(a)} -> {b.tree.file}{_version(b)}")
                out.extend("  " + line if line else line for line in _changes_text(changes))
        else:
            out.extend(_changes_text(self.changes))
        out.extend(_impact_text(imp))
        out.extend(_summary_text(imp))
        return "\n".join(out) + "\n"

    # -- json
    def json(self) -> str:
        imp = self.impact
        doc = {
            "schema": 1,
            "old": _policy_json(self.old_name, self.old),
            "new": _policy_json(self.new_name, self.new),
            "data": self.data_name,
            "changes": [c.to_json() for c in self.changes],
            **({"versions": [{"periods": periods, "old": _policy_json(a.tree.file, a),
                              "new": _policy_json(b.tree.file, b), "changes": [c.to_json() for c in changes]}
                             for periods, a, b, changes in self.pairs]} if self.pairs else {}),
            "impact": {
                "id_column": imp.id_column,
                "period_column": imp.period_column,
                "outputs": list(imp.outputs),
                "payouts": list(imp.money),
                "only_old": list(imp.only_old),
                "only_new": list(imp.only_new),
                "rows": [],  # put in below
            },
            "summary": {
                "payouts": [_total_json(t) for t in imp.totals],
                "total": _total_json(imp.overall),
                "employees": {"count": imp.employees, "gain": imp.gain, "lose": imp.lose,
                              "unchanged": imp.unchanged},
            },
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        if not imp.rows:
            return text
        # Each row is dumped on its own, six spaces in as json.dumps places it, and the rows take the
        # place of the empty list (the only key "rows" in the document: values never become keys).
        # The document of every row as dicts at once took gigabytes at 200,000 employees.
        before, after = text.split('"rows": []', 1)
        pieces = [before, '"rows": [']
        indent = "\n      "
        for k, r in enumerate(imp.rows):
            row = json.dumps(_row_json(r, imp.period_column), ensure_ascii=False, indent=2)
            pieces.append(("," if k else "") + indent + row.replace("\n", indent))
        pieces.extend(["\n    ]", after])
        return "".join(pieces)  # one copy of the whole text, not one per step

    # -- csv
    def csv(self) -> str:
        imp = self.impact
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([_csv_cell(imp.id_column)] + ([imp.period_column] if imp.period_column else [])
                        + ["output", "old", "new", "change"])
        for r in imp.rows:
            lead = [_csv_cell(r.id)] + ([_csv_cell(r.period)] if imp.period_column else [])
            for d in r.deltas:
                writer.writerow([*lead, _csv_cell(d.output), _csv_cell(d.old), _csv_cell(d.new),
                                 "" if d.change is None else _plain(d.change)])
        return buffer.getvalue()


def _changes_text(changes: tuple[Change, ...]) -> list[str]:
    out = [f"Changed definitions ({len(changes)})"]
    if not changes:
        out.append("  none: the two versions define the same policy")
    for c in changes:
        span = c.new_span or c.old_span
        where = "" if span is None else f"  (line {span.line})" if c.new_span else f"  (old line {span.line})"
        out.append(f"  {c.text}{where}")
    out.append("")
    return out


def _impact_text(imp: Impact) -> list[str]:
    out = ["Impact per employee"]
    affected = imp.affected
    if not affected:
        out.append("  no employee's results change")
    else:
        out.extend(_affected_table(imp, affected))
    unchanged = [r for r in imp.rows if not r.changed]
    if unchanged:
        affected_ids = {a.id for a in affected}  # built once: inside the loop it made the report quadratic
        ids = list(dict.fromkeys(r.id for r in unchanged if r.id not in affected_ids))
        names = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        if imp.period_column is None:
            out.append(f"  unchanged: {_plural(len(unchanged), 'employee')} ({names})")
        else:
            out.append(f"  unchanged: {_plural(len(unchanged), 'row')}"
                       + (f"; no change at all for {names}" if ids else ""))
    out.append("")
    return out


def _affected_table(imp: Impact, affected: tuple[RowImpact, ...]) -> list[str]:
    """One line per changed output; the employee (and period) only on their first line."""
    header = [imp.id_column] + ([imp.period_column] if imp.period_column else []) + \
        ["output", "old", "new", "change"]
    k = len(header)
    body = []
    for r in affected:
        first = True
        for d in r.changed:
            lead = [_shown_value(r.id) if first else ""] + \
                ([_shown_value(r.period) if first else ""] if imp.period_column else [])
            body.append([*lead, d.output, _shown_value(d.old), _shown_value(d.new), _signed(d.change)])
            first = False
    return _table(header, body, {k - 3, k - 2, k - 1})


def _summary_text(imp: Impact) -> list[str]:
    out = ["Summary"]
    if not imp.money:
        out.append("  neither version pays money")
    else:
        body = [[t.output, _shown_value(t.before), _shown_value(t.after), _signed(t.difference)]
                for t in imp.totals]
        if len(imp.totals) > 1:
            o = imp.overall
            body.append([o.output, _shown_value(o.before), _shown_value(o.after), _signed(o.difference)])
        out.extend(_table(["payout", "before", "after", "change"], body, {1, 2, 3}))
    if imp.only_new:
        out.append("  outputs only the new version has: " + ", ".join(imp.only_new))
    if imp.only_old:
        out.append("  outputs only the old version has: " + ", ".join(imp.only_old))
    if imp.money:
        out.append(f"  {_plural(imp.gain, 'employee gains', 'employees gain')}, {imp.lose} lose, "
                   f"{imp.unchanged} unchanged (by total payout change)")
    else:
        changed = len({r.id for r in imp.affected})
        out.append(f"  {changed} of {_plural(imp.employees, 'employee')} "
                   f"{'has' if changed == 1 else 'have'} changed results")
    return out


def _version(policy: api.Policy | Versions) -> str:
    if isinstance(policy, Versions):
        return f" ({len(policy.policies)} version{'s' * (len(policy.policies) != 1)})"
    v = policy.tree.header.version
    return f' (version "{v}")' if v else ""


def _periods(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{labels[0]} to {labels[-1]} ({len(labels)} periods)"


def _policy_json(name: str, policy: api.Policy | Versions) -> dict:
    if isinstance(policy, Versions):
        return {"source": name, "versions": [_policy_json(p.tree.file, p) for p in policy.policies]}
    h = policy.tree.header
    return {"source": name, "policy": h.name, "version": h.version, "effective": h.effective}


def _row_json(r: RowImpact, period_column: str | None) -> dict:
    return {
        "id": r.id,
        **({"period": _json_value(r.period)} if period_column else {}),
        "changed": bool(r.changed),
        "payout_change": format_number(r.payout_change),
        "values": [
            {"output": d.output, "old": _json_value(d.old), "new": _json_value(d.new),
             "change": _json_value(d.change), "changed": d.changed}
            for d in r.deltas
        ],
    }


def _total_json(t: PayoutTotal) -> dict:
    return {"output": t.output, "before": _json_value(t.before), "after": _json_value(t.after),
            "difference": _json_value(t.difference)}
