"""Policy diff (`attain diff`): definition changes in policy terms, and their impact on every employee's pay."""

# Use:
#     report = diff("policies/x.policy@HEAD~1", "policies/x.policy", "data.csv")
#     print(report.text())        # or report.json(), report.csv()
#
# A policy is a path, or `path@gitrev` for the version in a git revision (read
# with `git show`, nothing is checked out). Definition changes compare the two
# syntax trees statement by statement, so moving or reformatting a statement is
# no change. The impact runs both versions on the same data and compares every
# output of every employee (and period).
#
# Codes used here (usage errors; plain files use the parser's U501-U503):
#   U520 git is not available       U521 not inside a git repository
#   U522 unknown revision           U523 file not in that revision
#   U524 malformed `path@rev`       U525 git took too long
#   U526 not UTF-8 in the revision  U527 git failed otherwise

from __future__ import annotations

import csv
import decimal
import io
import json
import os
import subprocess
import unicodedata
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from attain import api
from attain.diagnostics import AttainError, Diagnostic, Span
from attain.dsl import nodes as n
from attain.dsl.formatter import band_range, expr as format_expr
from attain.files import read_text
from attain.io import Table, format_grouped, format_number, read_table

__all__ = [
    "Change",
    "DiffReport",
    "Impact",
    "OutputDelta",
    "PayoutTotal",
    "RowImpact",
    "diff",
    "impact",
    "policy_changes",
    "read_policy_source",
]

PERIOD_COLUMN = "period"
GIT_TIMEOUT = 30  # seconds for one git command


# ================================================================ policy sources


def read_policy_source(spec: str) -> tuple[str, str]:
    """The text of a policy and the name to show for it.

    `spec` is a file path, or `path@rev` for the file as it is in git revision
    `rev` (`policies/x.policy@HEAD~1`, `x.policy@v2023.3`, `x.policy@main@{1}`).
    A path that exists on disk is always a plain file, even if it contains `@`.
    The display name is `spec` itself. Raises `AttainError` (U501-U503 for
    plain files, U520-U527 for git).
    """
    spec = os.fspath(spec)
    if os.path.exists(spec) or "@" not in spec:
        return _read_plain(spec), spec
    # Revisions may hold '/' and '@' (origin/main, HEAD@{1}): split after the first '.policy@',
    # else at the first '@'.
    at = next((i for i in range(len(spec)) if spec[i] == "@" and spec[:i].endswith(".policy")), spec.index("@"))
    path, rev = spec[:at], spec[at + 1:]
    return _read_git(spec, path, rev), spec


def _read_plain(path: str) -> str:
    return read_text(path, "policy file")


def _usage(code: str, message: str, hint: str = "") -> AttainError:
    return AttainError([Diagnostic(code, message, hint=hint)])


def _read_git(spec: str, path: str, rev: str) -> str:
    if not path or path.endswith(("/", os.sep)):
        raise _usage("U524", f"{spec!r} names no file before '@'",
                     hint="write the policy file, then @ and the revision, as in policies/x.policy@HEAD~1")
    if not rev:
        raise _usage("U524", f"{spec!r} names no git revision after '@'",
                     hint="add a revision such as HEAD~1, a tag or a branch: x.policy@HEAD~1")
    if rev.startswith("-") or ":" in rev or any(ch.isspace() or ord(ch) < 32 for ch in rev):
        raise _usage("U524", f"{rev!r} in {spec!r} is not a git revision",
                     hint="use a commit, tag or branch such as HEAD~1, v2023.3 or main")

    # Run git from the nearest directory that exists on disk (the file's own
    # directory unless the working tree no longer has it), so that any cwd works.
    directory = os.path.dirname(os.path.abspath(path))
    rest = [os.path.basename(path)]
    while not os.path.isdir(directory):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        rest.insert(0, os.path.basename(directory))
        directory = parent

    result = _git(["rev-parse", "--show-prefix"], directory, spec)
    if result.returncode != 0:
        raise _usage("U521", f"cannot read {spec!r}: {_shown(directory)} is not inside a git repository",
                     hint=_git_message(result) or "run git init there, or give a plain file path without @REV")
    prefix = result.stdout.decode("utf-8", "replace").strip()
    relpath = prefix + "/".join(rest)

    result = _git(["rev-parse", "--verify", "--quiet", rev + "^{commit}"], directory, spec)
    if result.returncode != 0:
        raise _usage("U522", f"cannot read {spec!r}: the git repository has no revision {rev!r}",
                     hint="use a commit, tag or branch that exists, such as HEAD~1; see git log")

    result = _git(["cat-file", "-t", f"{rev}:{relpath}"], directory, spec)
    kind = result.stdout.decode("utf-8", "replace").strip()
    if result.returncode != 0 or kind != "blob":
        what = "is a directory" if kind == "tree" else "does not exist"
        raise _usage("U523", f"cannot read {spec!r}: {relpath!r} {what} in revision {rev!r}",
                     hint=f"see which files the revision has with: git ls-tree -r --name-only {rev}")

    result = _git(["show", "--no-textconv", f"{rev}:{relpath}"], directory, spec)
    if result.returncode != 0:
        raise _usage("U527", f"git could not read {spec!r}", hint=_git_message(result))
    try:
        return result.stdout.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _usage("U526", f"policy {spec!r} is not UTF-8 text in revision {rev!r}",
                     hint="policy files are UTF-8 text") from None


def _shown(directory: str) -> str:
    try:
        rel = os.path.relpath(directory)
    except ValueError:  # another drive on Windows
        return directory
    return directory if rel.startswith("..") else ("the current directory" if rel == "." else rel)


def _git(args: list[str], cwd: str, spec: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # the file's own directory decides the repository
        env.pop(name, None)
    try:
        return subprocess.run(["git", "--no-pager", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise _usage("U520", f"cannot read {spec!r}: git is not installed or not on PATH",
                     hint="install git, or give a plain file path without @REV") from None
    except subprocess.TimeoutExpired:
        raise _usage("U525", f"cannot read {spec!r}: git did not answer within {GIT_TIMEOUT} seconds",
                     hint="check the repository with git status, or export the old version to a file") from None
    except OSError as e:
        raise _usage("U527", f"cannot run git to read {spec!r}: {e.strerror}") from None


def _git_message(result: subprocess.CompletedProcess) -> str:
    text = result.stderr.decode("utf-8", "replace").strip()
    lines = [line.removeprefix("fatal: ").strip() for line in text.splitlines() if line.strip()]
    return "git says: " + lines[0] if lines else ""


# ================================================================ definition changes


@attrs.frozen
class Change:
    """One change between two policy versions, as a sentence in policy terms.

    `name` is the statement's name (`attainment_score`, `header`, `output`),
    `kind` is added, removed or changed (of that statement), `text` the
    sentence, spans point at the old and new source (None where absent).
    """

    name: str
    kind: str
    text: str
    old_span: Span | None = None
    new_span: Span | None = None

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "text": self.text,
            "old_span": self.old_span.to_json() if self.old_span else None,
            "new_span": self.new_span.to_json() if self.new_span else None,
        }


def policy_changes(old: n.Policy, new: n.Policy) -> list[Change]:
    """Every definition change from `old` to `new`, header first, then in the new policy's order.

    Statements are matched by name; equal statements (spans and layout aside)
    are not listed. Removed statements come last, in the old policy's order.
    """
    out: list[Change] = []
    _header_changes(old.header, new.header, out)
    old_map, new_map = _statements(old), _statements(new)
    for key, new_stmt in new_map.items():
        if key == "output":
            _output_changes(old_map.get(key, ()), new_stmt, out)
        elif key not in old_map:
            out.append(_added(key, new_stmt))
        elif old_map[key] != new_stmt:
            _statement_changes(key, old_map[key], new_stmt, out)
    for key, old_stmt in old_map.items():
        if key == "output":
            if key not in new_map:
                _output_changes(old_stmt, (), out)
        elif key not in new_map:
            out.append(_removed(key, old_stmt))
    return out


def _statements(policy: n.Policy) -> dict:
    """Statements by name, in order; every `output` line is merged under the key "output"."""
    out: dict = {}
    for s in policy.statements:
        if isinstance(s, n.OutputDecl):
            out.setdefault("output", [])
            out["output"].extend(s.names)
            continue
        key = _key(s)
        base, k = key, 2
        while key in out:  # a duplicate (the checker rejects it): keep both
            key, k = f"{base}#{k}", k + 1
        out[key] = s
    if "output" in out:
        out["output"] = tuple(out["output"])
    return out


def _key(s) -> str:
    if isinstance(s, (n.Input, n.Definition, n.FlagDecl)):
        return s.name
    if isinstance(s, n.Variants):
        return f"variants by {s.subject.id}"
    name = getattr(s, "name", None)
    return name if isinstance(name, str) else type(s).__name__.lower()


def _span(node) -> Span | None:
    return getattr(node, "span", None)


# ---------------------------------------------------------------- header and outputs


_HEADER_FIELDS = (("name", "policy name"), ("version", "version"), ("effective", "effective date"),
                  ("until", "end date"), ("period", "period"), ("gaps", "gaps"))


def _header_changes(old: n.Header, new: n.Header, out: list) -> None:
    if old == new:
        return
    for field, words in _HEADER_FIELDS:
        a, b = _header_value(old, field), _header_value(new, field)
        if a == b:
            continue
        if a is None:
            text = f"header: {words} {b} added"
        elif b is None:
            text = f"header: {words} {a} removed"
        else:
            text = f"header: {words} {a} -> {b}"
        out.append(Change("header", "changed", text, old.span, new.span))


def _header_value(h: n.Header, field: str) -> str | None:
    if field == "period":
        if h.period is None:
            return None
        return h.period + (f" ending day {h.month_ends_on}" if h.month_ends_on is not None else "")
    value = getattr(h, field)
    if value is None:
        return None
    return f'"{value}"' if field in ("name", "version") else str(value)


def _output_changes(old: tuple, new: tuple, out: list) -> None:
    old_ids = [x.id for x in old]
    new_ids = [x.id for x in new]
    for x in new:
        if x.id not in old_ids:
            out.append(Change("output", "changed", f"output: {x.id} is now written", None, x.span))
    for x in old:
        if x.id not in new_ids:
            out.append(Change("output", "changed", f"output: {x.id} is no longer written", x.span, None))
    common_old = [i for i in old_ids if i in new_ids]
    common_new = [i for i in new_ids if i in old_ids]
    if common_old != common_new:
        out.append(Change("output", "changed",
                          f"output: order {', '.join(common_old)} -> {', '.join(common_new)}",
                          old[0].span if old else None, new[0].span if new else None))


# ---------------------------------------------------------------- whole statements


def _added(key: str, s) -> Change:
    return Change(key, "added", f"{key}: added: {_describe_statement(s)}", None, _span(s))


def _removed(key: str, s) -> Change:
    return Change(key, "removed", f"{key}: removed (was {_describe_statement(s)})", _span(s), None)


def _describe_statement(s) -> str:
    if isinstance(s, n.Input):
        return "input " + _describe_input(s)
    if isinstance(s, n.Definition):
        return ("payout " if s.payout else "") + _describe_definition(s)
    if isinstance(s, n.FlagDecl):
        return "flag" + (f' "{s.label}"' if s.label else "") + f" when {expr_text(s.condition)}"
    if isinstance(s, n.Variants):
        return f"variants by {s.subject.id}: " + "; ".join(
            f"{_case_name(c)} defines {', '.join(d.name for d in c.definitions)}" for c in s.cases)
    return type(s).__name__.lower()


def _describe_input(s: n.Input) -> str:
    parts = [s.type]
    if s.label:
        parts.append(f'"{s.label}"')
    if s.low is not None:
        parts.append(f"in {_num(s.low)} .. {_num(s.high)}")
    if s.choices:
        parts.append("one of " + ", ".join(f'"{c}"' for c in s.choices))
    if s.default is not None:
        parts.append(f"default {expr_text(s.default)}")
    return " ".join(parts)


def _describe_definition(d: n.Definition) -> str:
    text = _describe_body(d.body)
    return text + (f" unless {expr_text(d.gate)}" if d.gate is not None else "")


def _describe_body(body) -> str:
    if isinstance(body, n.Band):
        return f"band over {expr_text(body.subject)}: " + "; ".join(_band_row_text(r) for r in body.rows)
    if isinstance(body, n.Lookup):
        return f"lookup by {expr_text(body.subject)}: " + "; ".join(_lookup_row_text(r) for r in body.rows)
    if isinstance(body, n.Weighted):
        return "weighted: " + ", ".join(f"{r.name.id} {_num(r.weight)}" for r in body.rows)
    if isinstance(body, n.Tiers):
        return "first match: " + "; ".join(_tier_row_text(r) for r in body.rows)
    if isinstance(body, n.Brackets):
        return _brackets_head(body) + ": " + "; ".join(_bracket_row_text(r) for r in body.rows)
    return "formula " + expr_text(body)


def _statement_changes(key: str, old, new, out: list) -> None:
    before = len(out)
    if type(old) is not type(new):
        out.append(Change(key, "changed",
                          f"{key}: {_describe_statement(old)} -> {_describe_statement(new)}", _span(old), _span(new)))
        return
    if isinstance(old, n.Input):
        _input_changes(key, old, new, out)
    elif isinstance(old, n.Definition):
        _definition_changes(key, key, old, new, out)
    elif isinstance(old, n.FlagDecl):
        _flag_changes(key, old, new, out)
    elif isinstance(old, n.Variants):
        _variants_changes(key, old, new, out)
    if len(out) == before:  # unequal, but no detail found: say so rather than stay silent
        out.append(Change(key, "changed",
                          f"{key}: {_describe_statement(old)} -> {_describe_statement(new)}", _span(old), _span(new)))


def _input_changes(key: str, old: n.Input, new: n.Input, out: list) -> None:
    def add(text):
        out.append(Change(key, "changed", f"{key}: {text}", old.span, new.span))

    if old.type != new.type:
        add(f"type {old.type} -> {new.type}")
    _optional(add, "label", _quoted(old.label), _quoted(new.label))
    old_range = f"{_num(old.low)} .. {_num(old.high)}" if old.low is not None else None
    new_range = f"{_num(new.low)} .. {_num(new.high)}" if new.low is not None else None
    if (old.low, old.high) != (new.low, new.high):
        _optional(add, "range", old_range, new_range, force=True)
    if old.choices != new.choices:
        gained = [c for c in new.choices if c not in old.choices]
        lost = [c for c in old.choices if c not in new.choices]
        if not old.choices or not new.choices or (not gained and not lost):
            _optional(add, "allowed values", _choices(old.choices), _choices(new.choices), force=True)
        else:
            for c in gained:
                add(f'value "{c}" now allowed')
            for c in lost:
                add(f'value "{c}" no longer allowed')
    if old.default != new.default:
        _optional(add, "default", expr_text(old.default) if old.default is not None else None,
                  expr_text(new.default) if new.default is not None else None, force=True)


def _optional(add, words: str, a, b, force: bool = False) -> None:
    """Report a change of an optional part: added, removed, or old -> new."""
    if a == b and not force:
        return
    if a is None:
        add(f"{words} {b} added")
    elif b is None:
        add(f"{words} {a} removed")
    else:
        add(f"{words} {a} -> {b}")


def _quoted(s: str | None) -> str | None:
    return None if s is None else f'"{s}"'


def _choices(choices: tuple) -> str | None:
    return ("one of " + ", ".join(f'"{c}"' for c in choices)) if choices else None


def _flag_changes(key: str, old: n.FlagDecl, new: n.FlagDecl, out: list) -> None:
    def add(text):
        out.append(Change(key, "changed", f"{key}: {text}", old.span, new.span))

    _optional(add, "label", _quoted(old.label), _quoted(new.label))
    if old.condition != new.condition:
        add(f"flag condition {expr_text(old.condition)} -> {expr_text(new.condition)}")


def _case_name(case: n.VariantCase) -> str:
    return "else" if case.keys is None else ", ".join(f'"{k}"' for k in case.keys)


def _variants_changes(key: str, old: n.Variants, new: n.Variants, out: list) -> None:
    subject = new.subject.id
    old_cases = {c.keys: c for c in old.cases}
    new_cases = {c.keys: c for c in new.cases}
    for keys, case in new_cases.items():
        if keys not in old_cases:
            out.append(Change(key, "changed", f"{key}: case {_case_name(case)} added, defining "
                              + ", ".join(d.name for d in case.definitions), None, case.span))
            continue
        before = old_cases[keys]
        if before == case:
            continue
        where = f"for {subject} {_case_name(case)}"
        old_defs = {d.name: d for d in before.definitions}
        new_defs = {d.name: d for d in case.definitions}
        for name, d in new_defs.items():
            if name not in old_defs:
                out.append(Change(name, "added", f"{name} {where}: added: {_describe_definition(d)}",
                                  before.span, d.span))
            elif old_defs[name] != d:
                _definition_changes(name, f"{name} {where}", old_defs[name], d, out)
        for name, d in old_defs.items():
            if name not in new_defs:
                out.append(Change(name, "removed", f"{name} {where}: removed (was {_describe_definition(d)})",
                                  d.span, case.span))
    for keys, case in old_cases.items():
        if keys not in new_cases:
            out.append(Change(key, "changed", f"{key}: case {_case_name(case)} removed", case.span, None))


# ---------------------------------------------------------------- definitions


def _definition_changes(key: str, label: str, old: n.Definition, new: n.Definition, out: list) -> None:
    def add(text, old_span=None, new_span=None):
        out.append(Change(key, "changed", f"{label}: {text}", old_span or old.span, new_span or new.span))

    if old.payout != new.payout:
        add("now a payout" if new.payout else "no longer a payout")
    a, b = old.body, new.body
    if a != b:
        if type(a) is not type(b) or not isinstance(a, (n.Band, n.Lookup, n.Weighted, n.Tiers, n.Brackets)):
            if isinstance(a, (n.Band, n.Lookup, n.Weighted, n.Tiers, n.Brackets)) or \
                    isinstance(b, (n.Band, n.Lookup, n.Weighted, n.Tiers, n.Brackets)):
                add(f"{_describe_body(a)} -> {_describe_body(b)}")
            else:
                add(f"formula {expr_text(a)} -> {expr_text(b)}")
        else:
            before = len(out)
            {n.Band: _band_changes, n.Lookup: _lookup_changes, n.Weighted: _weighted_changes,
             n.Tiers: _tier_changes, n.Brackets: _bracket_changes}[type(a)](a, b, add)
            if len(out) == before:
                add(f"{_describe_body(a)} -> {_describe_body(b)}")
    if old.gate != new.gate:
        _optional(add, "condition unless", expr_text(old.gate) if old.gate is not None else None,
                  expr_text(new.gate) if new.gate is not None else None, force=True)


def _pair_rows(old_rows, new_rows, key):
    """Match rows by key: (pairs, only_old, only_new), each list in source order."""
    unmatched = list(new_rows)
    pairs, only_old = [], []
    for r in old_rows:
        k = key(r)
        match = next((x for x in unmatched if key(x) == k), None)
        if match is None:
            only_old.append(r)
        else:
            unmatched.remove(match)
            pairs.append((r, match))
    return pairs, only_old, unmatched


def _order_changed(old_rows, new_rows, key) -> tuple[list, list] | None:
    """The shared keys in old and new order, when they differ."""
    new_keys = [key(r) for r in new_rows]
    old_keys = [key(r) for r in old_rows]
    a = [k for k in old_keys if k in new_keys]
    b = [k for k in new_keys if k in old_keys]
    return (a, b) if a != b else None


# -- bands and brackets


def _row_changes(old_rows, new_rows, key, result, where, row_text, what: str, gives: str, moved: str, add) -> None:
    """Row-level changes of a band or a bracket table: results changed, rows moved, added, removed.

    Rows pair by `key` (their range); a row whose range moved but whose result stayed is one
    change, not a removal and an addition.
    """
    pairs, gone, came = _pair_rows(old_rows, new_rows, key)
    for a, b in pairs:
        if result(a) != result(b):
            add(f"{what} {where(b)} now {gives} {expr_text(result(b))} instead of {expr_text(result(a))}",
                a.span, b.span)
    for a in list(gone):
        b = next((x for x in came if result(x) == result(a)), None)
        if b is not None:
            gone.remove(a)
            came.remove(b)
            add(f"{what} {row_text(a)} now {moved}{where(b)}", a.span, b.span)
    for b in came:
        add(f"{what} {row_text(b)} added", None, b.span)
    for a in gone:
        add(f"{what} {row_text(a)} removed", a.span, None)


def _band_row_text(row: n.BandRow) -> str:
    return f"{band_range(row)} -> {expr_text(row.result)}"


def _band_changes(old: n.Band, new: n.Band, add) -> None:
    if old.subject != new.subject:
        add(f"band over {expr_text(old.subject)} -> over {expr_text(new.subject)}")
    _row_changes(old.rows, new.rows, lambda r: r.interval(), lambda r: r.result, band_range, _band_row_text,
                 "band row", "gives", "covers ", add)


# -- lookups


def _lookup_key(row: n.LookupRow) -> str:
    return "else" if row.key is None else f'"{row.key}"'


def _lookup_row_text(row: n.LookupRow) -> str:
    return f"{_lookup_key(row)} -> {expr_text(row.result)}"


def _lookup_changes(old: n.Lookup, new: n.Lookup, add) -> None:
    if old.subject != new.subject:
        add(f"lookup by {expr_text(old.subject)} -> by {expr_text(new.subject)}")
    pairs, gone, came = _pair_rows(old.rows, new.rows, lambda r: r.key)
    for a, b in pairs:
        if a.result != b.result:
            add(f"{_lookup_key(b)} now gives {expr_text(b.result)} instead of {expr_text(a.result)}", a.span, b.span)
    for b in came:
        add(f"{_lookup_row_text(b)} added", None, b.span)
    for a in gone:
        add(f"{_lookup_row_text(a)} removed", a.span, None)


# -- weighted scorecards


def _weighted_changes(old: n.Weighted, new: n.Weighted, add) -> None:
    pairs, gone, came = _pair_rows(old.rows, new.rows, lambda r: r.name.id)
    for a, b in pairs:
        if a.weight != b.weight:
            add(f"weight of {b.name.id} {_num(a.weight)} -> {_num(b.weight)}", a.span, b.span)
    for b in came:
        add(f"{b.name.id} added at {_num(b.weight)}", None, b.span)
    for a in gone:
        add(f"{a.name.id} removed (was {_num(a.weight)})", a.span, None)


# -- tiers


def _tier_results_text(results) -> str:
    return ", ".join(f"{r.name} {expr_text(r.value)}" for r in results)


def _tier_row_text(row: n.TierRow) -> str:
    head = row.name + (f' "{row.label}"' if row.label else "")
    cond = "otherwise" if row.condition is None else expr_text(row.condition)
    results = _tier_results_text(row.results)
    return f"{head}: {cond}" + (f" -> {results}" if results else "")


def _tier_changes(old: n.Tiers, new: n.Tiers, add) -> None:
    order = _order_changed(old.rows, new.rows, lambda r: r.name)
    if order:
        add(f"tier order {', '.join(order[0])} -> {', '.join(order[1])} (the first tier that matches counts)",
            old.span, new.span)
    pairs, gone, came = _pair_rows(old.rows, new.rows, lambda r: r.name)
    for a, b in pairs:
        where = f"tier {b.name}"
        if a.label != b.label:
            _optional(lambda t: add(f"{where}: {t}", a.span, b.span), "label", _quoted(a.label), _quoted(b.label))
        if a.condition != b.condition:
            ca = "otherwise" if a.condition is None else expr_text(a.condition)
            cb = "otherwise" if b.condition is None else expr_text(b.condition)
            add(f"{where}: condition {ca} -> {cb}", a.span, b.span)
        rpairs, rgone, rcame = _pair_rows(a.results, b.results, lambda r: r.name)
        for ra, rb in rpairs:
            if ra.value != rb.value:
                add(f"{where}: {rb.name} {expr_text(ra.value)} -> {expr_text(rb.value)}", ra.span, rb.span)
        for rb in rcame:
            add(f"{where}: {rb.name} {expr_text(rb.value)} added", a.span, rb.span)
        for ra in rgone:
            add(f"{where}: {ra.name} {expr_text(ra.value)} removed", ra.span, b.span)
    for b in came:
        position = new.rows.index(b) + 1
        add(f"tier {_tier_row_text(b)} added at position {position} of {len(new.rows)}", None, b.span)
    for a in gone:
        add(f"tier {_tier_row_text(a)} removed", a.span, None)


# -- brackets

_BRACKET_KINDS = {
    "marginal": "marginal (each part of the amount at its own rate)",
    "retroactive": "retroactive (the whole amount at the rate of the bracket reached)",
}


def _brackets_head(b: n.Brackets) -> str:
    return f"{b.kind} {expr_text(b.amount)}" + (f" relative to {expr_text(b.base)}" if b.base is not None else "")


def _bracket_bound(row: n.BracketRow) -> str:
    return "above" if row.upto is None else f"up to {_num(row.upto)}"


def _bracket_row_text(row: n.BracketRow) -> str:
    return f"{_bracket_bound(row)} at {expr_text(row.rate)}"


def _bracket_changes(old: n.Brackets, new: n.Brackets, add) -> None:
    if old.kind != new.kind:
        add(f"now {_BRACKET_KINDS.get(new.kind, new.kind)} instead of {_BRACKET_KINDS.get(old.kind, old.kind)}")
    if old.amount != new.amount:
        add(f"amount {expr_text(old.amount)} -> {expr_text(new.amount)}")
    if old.base != new.base:
        if old.base is None:
            add(f"bounds now relative to {expr_text(new.base)} (were amounts)")
        elif new.base is None:
            add(f"bounds no longer relative to {expr_text(old.base)} (now amounts)")
        else:
            add(f"bounds relative to {expr_text(old.base)} -> {expr_text(new.base)}")
    _row_changes(old.rows, new.rows, lambda r: None if r.upto is None else r.upto.value, lambda r: r.rate,
                 _bracket_bound, _bracket_row_text, "bracket", "at", "", add)


# ---------------------------------------------------------------- expressions as text

def _num(x: n.Number | None) -> str:
    if x is None:
        return ""
    if x.text:
        return x.text
    if x.percent:
        return format_number(x.value * 100) + "%"
    return format_number(x.value)


def expr_text(node) -> str:
    """An expression as one line of policy text, printed as `attain fmt` prints it; a block as a summary."""
    match node:
        case None:
            return ""
        case n.Choice(subject=s, branches=branches):
            return f"by {s.id}: " + "; ".join(
                ("else" if keys is None else ", ".join(f'"{k}"' for k in keys)) + " -> " + _describe_definition(d)
                for keys, d in branches)
        case n.Band() | n.Lookup() | n.Weighted() | n.Tiers() | n.Brackets():
            return _describe_body(node)
    return format_expr(node)


# ================================================================ impact


@attrs.frozen
class OutputDelta:
    """One output of one employee: the old and new value and the change.

    `change` is new - old for numbers (exact), "changed" or None for texts and
    flags. A value absent from one version is None there; for a money output
    that version counts as paying 0, so the change is still a number.
    """

    output: str
    old: Any
    new: Any
    change: Any
    money: bool

    @property
    def changed(self) -> bool:
        if isinstance(self.change, str):
            return True
        if self.change is None:
            return self.old != self.new
        return self.change != 0 or (self.old is None) != (self.new is None)


@attrs.frozen
class RowImpact:
    """One employee (and period): every output's delta and the signed sum of payout changes."""

    id: str
    period: Any
    deltas: tuple[OutputDelta, ...]
    payout_change: Decimal | Fraction
    payout_moved: Decimal | Fraction  # sum of |change| over money outputs: the sort key

    @property
    def changed(self) -> tuple[OutputDelta, ...]:
        return tuple(d for d in self.deltas if d.changed)


@attrs.frozen
class PayoutTotal:
    """One money output summed over every row, before and after; None where the version lacks the output."""

    output: str
    before: Any
    after: Any
    difference: Any


@attrs.frozen
class Impact:
    """Both versions run on the same data, row by row, with totals and who gains or loses.

    Gains and losses are counted per employee (over all their periods), by the
    signed sum of their payout changes.
    """

    id_column: str
    period_column: str | None
    outputs: tuple[str, ...]
    money: tuple[str, ...]
    only_old: tuple[str, ...]  # outputs only the old version has
    only_new: tuple[str, ...]
    rows: tuple[RowImpact, ...]
    totals: tuple[PayoutTotal, ...]
    overall: PayoutTotal  # every money output together
    employees: int
    gain: int
    lose: int
    unchanged: int

    @property
    def affected(self) -> tuple[RowImpact, ...]:
        """Rows where any output changed, largest payout change first."""
        return tuple(r for r in self.rows if r.changed)


def _is_number(v) -> bool:
    return isinstance(v, (Decimal, Fraction, int)) and not isinstance(v, bool)


def _exact(op: str, values: list):
    """Sum or difference of exact numbers without rounding (Decimal when all are Decimal)."""
    if all(isinstance(v, Decimal) for v in values):
        if not values:
            return Decimal(0)
        hi = max(v.adjusted() for v in values)
        lo = min(v.as_tuple().exponent for v in values)
        ctx = decimal.Context(prec=max(1, hi - lo + 3 + len(str(len(values)))), Emax=decimal.MAX_EMAX,
                              Emin=decimal.MIN_EMIN, traps=[decimal.Inexact, decimal.InvalidOperation])
        total = values[0]
        for v in values[1:]:
            total = ctx.subtract(total, v) if op == "-" else ctx.add(total, v)
        return ctx.plus(total) if len(values) > 1 else total
    fractions = [Fraction(v) for v in values]
    total = fractions[0] if fractions else Fraction(0)
    for v in fractions[1:]:
        total = total - v if op == "-" else total + v
    return total


def _zero_like(values: list):
    """0 at the scale of the given Decimals (0.00 beside 10200.00), so sums and changes print alike."""
    decimals = [v for v in values if isinstance(v, Decimal)]
    if decimals:
        return Decimal(0).scaleb(min(v.as_tuple().exponent for v in decimals))
    return Decimal(0)


def _delta(output: str, old, new, money: bool) -> OutputDelta:
    if _is_number(old) and _is_number(new):
        return OutputDelta(output, old, new, _exact("-", [new, old]), money)
    if money and (old is None or _is_number(old)) and (new is None or _is_number(new)) and (old, new) != (None, None):
        # A payout only one version has: the other version pays 0.
        zero = _zero_like([old, new])
        return OutputDelta(output, old, new, _exact("-", [zero if new is None else new, zero if old is None else old]),
                           money)
    return OutputDelta(output, old, new, None if old == new else "changed", money)


def _row_keys(results: api.Results, id_column: str, period_column: str | None) -> dict:
    out, seen = {}, {}
    for row in results.rows:
        base = (str(row.get(id_column)), row.get(period_column) if period_column else None)
        k = seen.get(base, 0)
        seen[base] = k + 1
        out[(*base, k)] = row  # k > 0 only if a key repeats: then rows pair in order
    return out


def impact(old: "api.Policy", new: "api.Policy", data, id_column: str | None = None) -> Impact:
    """Run both policies on the same data (a path or a `Table`) and compare every output of every row."""
    table = data if isinstance(data, Table) else read_table(data)
    old_res = old.run(table, id_column=id_column)
    new_res = new.run(table, id_column=id_column)
    id_col = old_res.columns[0]
    period_col = PERIOD_COLUMN if PERIOD_COLUMN in old_res.columns[1:] and PERIOD_COLUMN in new_res.columns[1:] \
        else None
    old_outs = [c for c in old_res.columns[1:] if c != period_col]
    new_outs = [c for c in new_res.columns[1:] if c != period_col]
    outputs = tuple(new_outs + [c for c in old_outs if c not in new_outs])

    def is_money(name: str) -> bool:
        return any(str(p.model.types.get(name)) == "money" for p in (old, new) if name in p.model.types)

    money = tuple(o for o in outputs if is_money(o))
    old_rows = _row_keys(old_res, id_col, period_col)
    new_rows = _row_keys(new_res, id_col, period_col)
    keys = list(old_rows) + [k for k in new_rows if k not in old_rows]

    rows = []
    for key in keys:
        a, b = old_rows.get(key, {}), new_rows.get(key, {})
        deltas = tuple(_delta(o, a.get(o), b.get(o), o in money) for o in outputs)
        changes = [d.change for d in deltas if d.money and _is_number(d.change)]
        signed = _exact("+", changes) if changes else Decimal(0)
        moved = _exact("+", [abs(c) for c in changes]) if changes else Decimal(0)
        rows.append(RowImpact(key[0], key[1], deltas, signed, moved))
    rows.sort(key=lambda r: (-r.payout_moved, r.id, "" if r.period is None else str(r.period)))

    totals = []
    for o in money:
        before = _column_total(old_res, o) if o in old_outs else None
        after = _column_total(new_res, o) if o in new_outs else None
        zero = _zero_like([before, after])
        difference = _exact("-", [zero if after is None else after, zero if before is None else before])
        totals.append(PayoutTotal(o, before, after, difference))
    overall = PayoutTotal(
        "all payouts",
        _exact("+", [t.before for t in totals if t.before is not None]) if totals else Decimal(0),
        _exact("+", [t.after for t in totals if t.after is not None]) if totals else Decimal(0),
        _exact("+", [t.difference for t in totals]) if totals else Decimal(0),
    )

    per_employee: dict[str, list] = {}
    for r in rows:
        per_employee.setdefault(r.id, []).append(r.payout_change)
    sums = [_exact("+", v) for v in per_employee.values()]
    return Impact(
        id_column=id_col,
        period_column=period_col,
        outputs=outputs,
        money=money,
        only_old=tuple(o for o in old_outs if o not in new_outs),
        only_new=tuple(o for o in new_outs if o not in old_outs),
        rows=tuple(rows),
        totals=tuple(totals),
        overall=overall,
        employees=len(per_employee),
        gain=sum(1 for s in sums if s > 0),
        lose=sum(1 for s in sums if s < 0),
        unchanged=sum(1 for s in sums if s == 0),
    )


def _column_total(results: api.Results, output: str):
    values = [r.get(output) for r in results.rows if _is_number(r.get(output))]
    return _exact("+", values) if values else Decimal(0)


# ================================================================ the report


def _signed(value) -> str:
    """+850.00, -1,200.00, 0.00: a change as it reads in a table."""
    if not _is_number(value):
        return "" if value is None else str(value)
    text = format_grouped(value)
    return "+" + text if value > 0 else text


def _plain(value) -> str:
    """A value in CSV: exact, no grouping; dates as ISO text; None empty."""
    if value is None or isinstance(value, (bool, str)) or _is_number(value):
        return format_number(value)
    return str(value)


def _json_value(value):
    if value is None or isinstance(value, (bool, str)):
        return value
    if _is_number(value):
        return format_number(value)
    return str(value)


def _shown_value(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, (bool, str)) or _is_number(value):
        text = format_grouped(value)
    else:
        text = str(value)
    # Control characters from data must not reach the terminal.
    return "".join(ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) == "Cc" else ch
                   for ch in text)


def _width(text: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
               for ch in text)


def _table(header: list[str], rows: list[list[str]], right: set[int], indent: str = "  ") -> list[str]:
    widths = [max(_width(c) for c in col) for col in zip(header, *rows)]

    def line(cells):
        parts = []
        for i, (text, w) in enumerate(zip(cells, widths)):
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
    old: "api.Policy"
    new: "api.Policy"
    changes: tuple[Change, ...]
    impact: Impact

    # -- text
    def text(self) -> str:
        imp = self.impact
        out = [f"attain diff: {self.old_name}{_version(self.old)} -> {self.new_name}{_version(self.new)}",
               f"data: {self.data_name} ({_plural(imp.employees, 'employee')})", ""]

        out.append(f"Changed definitions ({len(self.changes)})")
        if not self.changes:
            out.append("  none: the two versions define the same policy")
        for c in self.changes:
            span = c.new_span or c.old_span
            where = "" if span is None else f"  (line {span.line})" if c.new_span else f"  (old line {span.line})"
            out.append(f"  {c.text}{where}")
        out.append("")

        out.append("Impact per employee")
        affected = imp.affected
        if not affected:
            out.append("  no employee's results change")
        else:
            header = [imp.id_column] + ([imp.period_column] if imp.period_column else []) + \
                ["output", "old", "new", "change"]
            k = len(header)
            body = []
            for r in affected:
                first = True
                for d in r.changed:
                    lead = [_shown_value(r.id) if first else ""] + \
                        ([_shown_value(r.period) if first else ""] if imp.period_column else [])
                    body.append(lead + [d.output, _shown_value(d.old), _shown_value(d.new), _signed(d.change)])
                    first = False
            out.extend(_table(header, body, {k - 3, k - 2, k - 1}))
        unchanged = [r for r in imp.rows if not r.changed]
        if unchanged:
            ids = list(dict.fromkeys(r.id for r in unchanged if r.id not in {a.id for a in affected}))
            names = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
            if imp.period_column is None:
                out.append(f"  unchanged: {_plural(len(unchanged), 'employee')} ({names})")
            else:
                out.append(f"  unchanged: {_plural(len(unchanged), 'row')}"
                           + (f"; no change at all for {names}" if ids else ""))
        out.append("")

        out.append("Summary")
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
            changed = len({r.id for r in affected})
            out.append(f"  {changed} of {_plural(imp.employees, 'employee')} "
                       f"{'has' if changed == 1 else 'have'} changed results")
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
            "impact": {
                "id_column": imp.id_column,
                "period_column": imp.period_column,
                "outputs": list(imp.outputs),
                "payouts": list(imp.money),
                "only_old": list(imp.only_old),
                "only_new": list(imp.only_new),
                "rows": [
                    {
                        "id": r.id,
                        **({"period": _json_value(r.period)} if imp.period_column else {}),
                        "changed": bool(r.changed),
                        "payout_change": format_number(r.payout_change),
                        "values": [
                            {"output": d.output, "old": _json_value(d.old), "new": _json_value(d.new),
                             "change": _json_value(d.change), "changed": d.changed}
                            for d in r.deltas
                        ],
                    }
                    for r in imp.rows
                ],
            },
            "summary": {
                "payouts": [_total_json(t) for t in imp.totals],
                "total": _total_json(imp.overall),
                "employees": {"count": imp.employees, "gain": imp.gain, "lose": imp.lose,
                              "unchanged": imp.unchanged},
            },
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"

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
                writer.writerow(lead + [_csv_cell(d.output), _csv_cell(d.old), _csv_cell(d.new),
                                        "" if d.change is None else _plain(d.change)])
        return buffer.getvalue()


def _version(policy: "api.Policy") -> str:
    v = policy.tree.header.version
    return f' (version "{v}")' if v else ""


def _policy_json(name: str, policy: "api.Policy") -> dict:
    h = policy.tree.header
    return {"source": name, "policy": h.name, "version": h.version, "effective": h.effective}


def _total_json(t: PayoutTotal) -> dict:
    return {"output": t.output, "before": _json_value(t.before), "after": _json_value(t.after),
            "difference": _json_value(t.difference)}


# ================================================================ the whole command


def diff(old_spec: str, new_spec: str, data, id_column: str | None = None) -> DiffReport:
    """Compare two policy versions (paths or `path@gitrev`) on one data file (a path or a `Table`).

    Raises `AttainError` for unreadable sources, policies with errors or bad
    data. When a policy has errors, the exception carries `sources`, a dict
    from the display name (`x.policy@HEAD~1`) to the text read, so that a
    caller can show the caret excerpts of a version that is not on disk.
    """
    policies = []
    for spec in (old_spec, new_spec):
        text, name = read_policy_source(spec)
        try:
            policies.append((name, api.loads(text, name)))
        except AttainError as e:
            e.sources = {name: text}
            raise
    (old_name, old), (new_name, new) = policies
    table = data if isinstance(data, Table) else read_table(data)
    changes = tuple(policy_changes(old.tree, new.tree))
    return DiffReport(old_name, new_name, table.file, old, new, changes, impact(old, new, table, id_column))
