"""Data templates: the workbook HR fills in for a policy, with its columns, their rules as Excel data validation,
an example row, and a guide sheet that says what each column takes.

The columns come from the checked models (the policy's inputs, and those of a policy it
`uses`); which example row the policy accepts is for the caller to find, by reading the
rendered template back and running the policy on it.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from attain.dsl.check_lines import Lines
from attain.dsl.model import Model
from attain.i18n.excel import EXCEL
from attain.io.numtext import format_grouped, format_number
from attain.io.workbook import deterministic_zip, sheet_text

# Excel's limit on an inline list (the formula of a list validation) and on a prompt.
_INLINE_LIST = 250
_PROMPT = 250
# Example values by type, for each way of choosing within a range: the middle, the low end, the high end.
_PLAIN = {"money": Fraction(100_000), "percent": Fraction(1), "number": Fraction(1), "count": Fraction(1)}
WAYS = ("middle", "low", "high")


@attrs.frozen
class Column:
    """One column of a template: its header, the input it feeds (None for the id and the period), and its rules."""

    header: str
    name: str | None
    kind: str  # an input type, or "id" or "period"
    low: Fraction | None = None
    high: Fraction | None = None
    choices: tuple[str, ...] = ()
    default: str | None = None


def template_columns(models: Sequence[Model], periodic: bool, lang: str, labels: bool = True) -> list[Column]:
    """The id, the period (for a policy with periods), then every input of `models` in order, each once.

    `models` are the policies a run reads data for, finest first: an input of a later one that an
    earlier one computes (an output of the policy it `uses`) is not data.
    """
    columns = [Column(EXCEL("id column", lang), None, "id")]
    if periodic:
        columns.append(Column(EXCEL("period column", lang), None, "period"))
    computed: set[str] = set()
    seen: set[str] = set()
    for model in models:
        measured = _measures(model)
        for name, inp in model.inputs.items():
            if name in computed or name in seen or name in measured:  # a measure is computed from lines
                continue
            seen.add(name)
            bounds = inp.bounds
            default = None
            if inp.default is not None:
                value = inp.default.value
                default = format_number(value) if not isinstance(value, str) else value
            columns.append(Column(inp.label if labels and inp.label else name, name, inp.type,
                                  bounds[0].value if bounds else None, bounds[1].value if bounds else None,
                                  tuple(inp.choices), default))
        computed.update(model.outputs)
    return columns


def _measures(model: Model) -> set[str]:
    lines = model.lines
    return {m.name for m in lines.measures} if isinstance(lines, Lines) else set()


def line_columns(model: Model, periodic: bool, lang: str, labels: bool = True) -> list[tuple[str, list[Column]]]:
    """Per line table of the policy (name, columns): the id, the period, then the line's inputs."""
    lines = model.lines
    if not isinstance(lines, Lines):
        return []
    out = []
    for name, spec in lines.tables.items():
        columns = [Column(EXCEL("id column", lang), None, "id")]
        if periodic:
            columns.append(Column(EXCEL("period column", lang), None, "period"))
        for inp in spec.table.inputs:
            bounds = inp.bounds
            columns.append(Column(inp.label if labels and inp.label else inp.name, inp.name, inp.type,
                                  bounds[0].value if bounds else None, bounds[1].value if bounds else None,
                                  tuple(inp.choices)))
        out.append((name, columns))
    return out


def example(columns: Sequence[Column], way: str, period: str | None, day: datetime.date, lang: str) -> dict:
    """One example row: each value in the middle of its range, at its low end or at its high end (`way`)."""
    row: dict[str, Any] = {}
    for c in columns:
        if c.kind == "id":
            row[c.header] = "S001"
        elif c.kind == "period":
            row[c.header] = period
        elif c.kind == "text":
            row[c.header] = c.choices[0] if c.choices else EXCEL("example text", lang)
        elif c.kind == "employee":
            row[c.header] = None  # a manager column: the one example row is at the top of its tree
        elif c.kind == "bool":
            row[c.header] = False
        elif c.kind == "date":
            row[c.header] = day
        else:
            row[c.header] = _number(c, way)
    return row


def _number(c: Column, way: str) -> Fraction:
    plain = _PLAIN[c.kind]
    if c.low is not None and c.high is not None:
        value = {"middle": (c.low + c.high) / 2, "low": c.low, "high": c.high}[way]
    else:
        value = {"middle": plain, "low": plain / 10, "high": plain * 10}[way]
    if c.kind == "count":
        value = Fraction(int(value))  # whole, and within the range: its ends are whole for a count
        if c.low is not None and value < c.low:
            value = c.low
    return value


def allowed(c: Column, lang: str) -> str:
    """What a column takes, in words."""
    if c.kind == "id":
        return EXCEL("id meaning", lang)
    if c.kind == "period":
        return EXCEL("period meaning", lang, example="2024Q1, 2024-01")
    if c.kind == "employee":
        return EXCEL("employee meaning", lang)
    if c.choices:
        return EXCEL("one of", lang, choices=", ".join(c.choices))
    if c.kind == "bool":
        return EXCEL("yes no", lang)
    if c.kind == "date":
        return EXCEL("date format", lang)
    if c.low is not None and c.high is not None:
        return EXCEL("between", lang, low=_shown(c.low, c.kind), high=_shown(c.high, c.kind))
    if c.kind == "count":
        return EXCEL("whole", lang)
    return EXCEL("any", lang)


def _shown(value: Fraction, kind: str) -> str:
    return format_grouped(value * 100) + "%" if kind == "percent" else format_grouped(value)


def render_template(columns: Sequence[Column], row: dict, title: str, lang: str,
                    lines: Sequence[tuple[str, Sequence[Column], dict]] = ()) -> bytes:
    """The workbook: a data sheet (header, one example row, a validation and a format per column), a sheet per
    line table (`lines`: its name, columns and example row), and a guide."""
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = EXCEL("template sheet", lang)
    bold = Font(bold=True)
    _data_sheet(sheet, columns, row, lang, bold)
    for name, line_columns_, line_row in lines:
        _data_sheet(workbook.create_sheet(name), line_columns_, line_row, lang, bold)
    _guide(workbook.create_sheet(EXCEL("guide sheet", lang)), columns, title, lang, bold)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return deterministic_zip(buffer.getvalue(), None)


def _data_sheet(sheet, columns: Sequence[Column], row: dict, lang: str, bold) -> None:
    from openpyxl.utils import get_column_letter

    for i, c in enumerate(columns, 1):
        letter = get_column_letter(i)
        head = sheet.cell(row=1, column=i, value=sheet_text(c.header))
        head.data_type = "s"
        head.font = bold
        number_format = _format(c)
        sheet.column_dimensions[letter].width = max(10, min(40, 2 * len(c.header) + 4))
        sheet.column_dimensions[letter].number_format = number_format
        cell = sheet.cell(row=2, column=i)
        value = row.get(c.header)
        if isinstance(value, Fraction):
            cell.value = int(value) if value.denominator == 1 else float(Decimal(format_number(value)))
        else:
            cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
        cell.number_format = number_format
        _validate(sheet, c, letter, lang)
    sheet.freeze_panes = "A2"


def _format(c: Column) -> str:
    return {"money": "#,##0.00", "percent": "0.00%", "count": "0", "date": "yyyy-mm-dd", "number": "General",
            "bool": "General"}.get(c.kind, "@")  # ids, periods and texts stay text: 2024-01 is no date


def _validate(sheet, c: Column, letter: str, lang: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    rule: dict[str, Any] = {}
    if c.choices:
        inline = '"' + ",".join(c.choices) + '"'
        if len(inline) <= _INLINE_LIST and not any("," in x or '"' in x for x in c.choices):
            rule = {"type": "list", "formula1": inline}
        else:
            rule = {"type": "list", "formula1": _choices_range(sheet, c)}
    elif c.kind == "bool":
        rule = {"type": "list", "formula1": '"TRUE,FALSE"'}
    elif c.kind == "date":
        rule = {"type": "date", "operator": "greaterThan", "formula1": "1"}
    elif c.kind in ("money", "percent", "number", "count"):
        kind = "whole" if c.kind == "count" else "decimal"
        if c.low is not None and c.high is not None:
            rule = {"type": kind, "operator": "between", "formula1": format_number(c.low),
                    "formula2": format_number(c.high)}
        elif c.kind == "count":
            rule = {"type": kind, "operator": "greaterThanOrEqual", "formula1": "0"}
        else:
            rule = {"type": kind, "operator": "between", "formula1": "-1E+15", "formula2": "1E+15"}
    if not rule:
        return
    words = allowed(c, lang)
    error = EXCEL("bad cell", lang, column=c.header, allowed=words)[:_PROMPT]
    validation = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=True,
                                errorTitle=EXCEL("bad cell title", lang), error=error,
                                promptTitle=c.header[:32], prompt=words[:_PROMPT], **rule)
    validation.add(f"{letter}2:{letter}1048576")
    sheet.add_data_validation(validation)


def _choices_range(sheet, c: Column) -> str:
    """The choices written down a column of a sheet of lists, and the range a list validation reads them from."""
    from openpyxl.utils import get_column_letter

    workbook = sheet.parent
    lists = workbook["lists"] if "lists" in workbook.sheetnames else workbook.create_sheet("lists")
    col = lists.max_column + 1 if lists.max_row > 1 or lists["A1"].value is not None else 1
    lists.cell(row=1, column=col, value=sheet_text(c.header)).data_type = "s"
    for r, choice in enumerate(c.choices, 2):
        lists.cell(row=r, column=col, value=sheet_text(choice)).data_type = "s"
    letter = get_column_letter(col)
    return f"lists!${letter}$2:${letter}${len(c.choices) + 1}"


def _guide(guide, columns: Sequence[Column], title: str, lang: str, bold) -> None:
    """What each column is, in words: its header, the input it feeds, its type, what it takes, what empty means."""
    guide.cell(row=1, column=1, value=sheet_text(title)).font = bold
    heads = ("guide column", "guide name", "guide type", "guide allowed", "guide empty")
    for i, key in enumerate(heads, 1):
        guide.cell(row=3, column=i, value=EXCEL(key, lang)).font = bold
    for r, c in enumerate(columns, 4):
        kind = EXCEL(f"type {c.kind}", lang) if c.name is not None else EXCEL("type text", lang)
        empty = c.default if c.default is not None else EXCEL("no default", lang)
        for i, text in enumerate((c.header, c.name or "", kind, allowed(c, lang), empty), 1):
            guide.cell(row=r, column=i, value=sheet_text(text)).data_type = "s"
    for letter, width in zip("ABCDE", (24, 24, 10, 48, 12), strict=True):
        guide.column_dimensions[letter].width = width
