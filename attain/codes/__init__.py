"""Diagnostic codes: the registry every `Diagnostic` code must be declared in, with its meaning.

The bottom of the package: it imports nothing from attain. `Diagnostic` refuses a
code that is not in `CODES`, so every code a user can see has a title and a
meaning here, and `docs/errors.md` is generated from this table by `markdown()`:

    python3 -m attain.codes > docs/errors.md

A code is stable once released: change its wording freely, never its meaning,
and give a new problem a new code.

Hints (here in a code's meaning, and in each `Diagnostic(..., hint=...)`) keep one rule: a hint never
suggests a change that makes the error go away while the result may be silently wrong. Where several fixes
give different numbers (a `combine` rule, a default, the value of a guard), the hint shows what each gives
or leaves the decision visibly to the author (`else VALUE`), instead of naming one that "runs".
"""

from __future__ import annotations

from typing import NamedTuple

from attain.codes.accrual import ACCRUAL_CODES
from attain.codes.lines import LINE_CODES
from attain.codes.org import ORG_CODES
from attain.codes.parquet import PARQUET_CODES

# Each stage owns one letter; the order is the order of docs/errors.md.
STAGES = {
    "parse": ("P", "Parse (P1xx)", "The policy text does not follow the language's grammar."),
    "check": ("C", "Check (C2xx)", "The policy reads, but what it says cannot be right: names, units, tables "
              "that leave values uncovered. Nothing is computed until these are fixed."),
    "evaluation": ("E", "Evaluation (E3xx)", "The policy and the data each passed their checks, but a value "
                   "cannot be computed for an employee or a period."),
    "data": ("D", "Data (D4xx)", "The data file cannot be read as a table, or its columns and cells do not fit "
             "the policy. Every cell is checked before anything is computed."),
    "usage": ("U", "Usage (U5xx)", "A command names a file, an option or a git revision that cannot be used. "
              "The command line exits with code 2."),
    "test": ("T", "Policy tests (T6xx)", "A policy test file (`*.test.yaml`) is missing or not written as "
             "`attain test` expects."),
}


class Code(NamedTuple):
    """One diagnostic code: what a user sees in `error[C216]`, and what it means for them."""

    code: str
    stage: str  # a key of STAGES
    title: str  # a short phrase, lower case
    meaning: str  # one or two plain sentences: what went wrong, what to do
    severity: str = "error"  # or "warning": reported, but the policy still runs


_DECLARED = (
    # ---------------------------------------------------------------- parse
    Code("P100", "parse", "syntax error",
         "The text does not fit the policy language at this point: an unexpected character or word, or the "
         "policy ends in the middle of a definition. The hint lists what may come here."),
    Code("P101", "parse", "row without '->'",
         "A row of a band or lookup needs `->` between its condition and its result, as in `>= 120% -> 100`."),
    Code("P102", "parse", "definition without '='",
         "A value is defined as `name = formula`; add the `=` after the name."),
    Code("P103", "parse", "input without a type",
         "An input needs `:` and a type after its name, as in `input sales : money`."),
    Code("P104", "parse", "incomplete formula",
         "An operator such as `+` or `*` has no value after it. Finish the formula, or join it with the next "
         "line."),
    Code("P105", "parse", "block rows not indented",
         "The rows of a band, lookup, scorecard or tier table go on the lines below its first line, indented "
         "with spaces; a block needs at least one row."),
    Code("P106", "parse", "weight is not a percent",
         "Each row of a `weighted` scorecard names a score and its weight as a percent, as in "
         "`attainment_score 40%`."),
    Code("P107", "parse", "no policy line",
         'A policy file starts with its name, as in `policy "Quarterly incentive"`.'),
    Code("P110", "parse", "percent sign without a number",
         "A `%` must follow a number directly, as in `15%`, with no space between them."),
    Code("P111", "parse", "text without a closing quote",
         "A quoted text must end with a `\"` on the same line."),
    Code("P112", "parse", "tab character",
         "A line is indented with a tab, or a tab stands where it is not allowed. Indent with spaces only, so "
         "every reader sees the same rows."),
    Code("P113", "parse", "full-width punctuation",
         "Punctuation such as `：` or `，` was typed in full width. Switch the keyboard to half-width for "
         "`, : ( ) = %`; names and quoted text may stay Chinese."),
    Code("P114", "parse", "inconsistent indentation",
         "A line is indented by an amount that matches no line above it. Indent the rows of one block alike, "
         "and start the next definition at the beginning of a line."),
    Code("P115", "parse", "not a real date",
         "A date in a formula does not exist in the calendar (such as 2023-02-30). Write dates as YYYY-MM-DD."),
    Code("P116", "parse", "not a whole number",
         "This place takes a whole number, such as the day in `ending day 25` or the periods back in "
         "`previous(sales, 2, else 0)`."),
    Code("P117", "parse", "formula nested too deeply",
         "A formula nests more than 1,000 levels deep: each operator, `if ... else`, `not` and function call "
         "inside another is a level, and so is each term of a long sum. Give parts of it names of their own "
         "and use the names."),
    Code("P118", "parse", "number too long",
         "A number in the policy has more than 300 digits, far more than any amount or rate needs; it is "
         "probably pasted or repeated by mistake."),
    Code("P119", "parse", "parenthesis never closed",
         "A `(` has no matching `)` before the statement ends. Add the `)` where the part in parentheses "
         "ends."),
    # ---------------------------------------------------------------- check
    Code("C201", "check", "defined twice",
         "Two definitions (or two inputs) have the same name. Rename one of them, or remove the extra one."),
    Code("C202", "check", "unknown type",
         "An input's type must be one of money, percent, number, count, bool, text or date."),
    Code("C203", "check", "unknown name",
         "A formula uses a name that no input or definition declares. Check the spelling, or declare it."),
    Code("C204", "check", "values depend on each other in a loop",
         "Each value in the loop needs the next to be computed first, so none can be. Break the loop; "
         "`previous(...)` can refer to last period's value."),
    Code("C205", "check", "condition is not true or false",
         "A condition (after `if`, `unless` or `when`, in a tier or `streak`, or joined by `and`, `or`, `not`) "
         "must be true or false, such as `attainment >= 100%`, not an amount or a text."),
    Code("C206", "check", "unit mismatch",
         "The formula mixes units that have no meaning together, such as money plus a percent, money times "
         "money, text compared with a number, or a percent bound in a band over money. The message names the "
         "units."),
    Code("C207", "check", "no such result",
         "`x.field` reads a result carried by a first-match tier table; this value is not a tier, or no tier "
         "carries a result of that name."),
    Code("C208", "check", "division by zero",
         "The formula divides by the number 0, which has no value."),
    Code("C209", "check", "no such tier",
         "A tier value is compared with a text that is not the name of any of its tiers. Check the spelling "
         "against the tier table."),
    Code("C210", "check", "unknown function",
         "The formula calls a function the language does not have; the hint lists those it has."),
    Code("C211", "check", "wrong number of values",
         "A function is given more or fewer values than it takes, such as `round(x)` without its step."),
    Code("C212", "check", "bad rounding",
         "`round` needs a positive step such as 0.01 or 1, and its mode, if given, must be one of half_up, "
         "half_even, half_down, down, up, floor or ceiling."),
    Code("C213", "check", "band over text",
         "A band looks at a number; to choose by a text, use `lookup`."),
    Code("C214", "check", "empty range",
         "A band row `A to B` needs A below B, and bracket bounds must rise from row to row."),
    Code("C215", "check", "catch-all row missing or not last",
         "`otherwise`, `else` and `above` catch everything not matched before them, so they come last: rows "
         "after them could never apply. Brackets must end with `above at RATE`, or larger amounts earn "
         "nothing."),
    Code("C216", "check", "band leaves values uncovered",
         "Some values of the band's subject match no row, so an employee there would get no score. Add a row "
         "for the range the message names, or end the band with `otherwise -> ...`."),
    Code("C217", "check", "band rows overlap",
         "Two rows of a band both hold for the range the message names. Make the ranges meet without "
         "overlapping: `A to B` includes A but not B."),
    Code("C218", "check", "band row can never match",
         "No value the subject can take falls in this row, for example outside the input's declared range. "
         "Fix its bounds or remove it."),
    Code("C219", "check", "'otherwise' can never match",
         "The rows above already cover every value, so the `otherwise` row is never used. Remove it, or "
         "check the rows' bounds.", "warning"),
    Code("C220", "check", "unused input",
         "An input is declared but no formula uses it. Remove it, or use it.", "warning"),
    Code("C221", "check", "payout is not money",
         "A `payout` is paid out, so its formula must give money. Multiply by an amount, or declare the "
         "value with `output` instead."),
    Code("C222", "check", "lookup over a number",
         "A lookup chooses by a text (or a tier); to choose by a number, use `band`."),
    Code("C223", "check", "listed twice",
         "A lookup key, variant value, scorecard row, tier name or tier result appears twice in one block. "
         "Keep one."),
    Code("C224", "check", "key the lookup can never see",
         "The lookup's text comes from an input declared with `one of`, and this key is not among those "
         "values. Fix the spelling or the list."),
    Code("C225", "check", "lookup leaves values uncovered",
         "Some values of the lookup's text have no row. Add rows for them, or an `else -> ...` row."),
    Code("C226", "check", "weights do not add up to 100%",
         "The weights of a `weighted` scorecard must add up to exactly 100%; the hint says how much to add "
         "or remove."),
    Code("C227", "check", "tier result missing",
         "A numeric or yes/no result (such as `coefficient`) is given by some tiers but not all. Give every "
         "tier a value for it, 0 or false if need be."),
    Code("C228", "check", "tier can never be reached",
         "The tiers above this one always match first, so no employee can reach it. Move it up, or narrow "
         "their conditions."),
    Code("C229", "check", "tiers leave values uncovered",
         "Some values match no tier, so an employee there would get none. Add a tier for that range, or an "
         "`otherwise` tier at the end."),
    Code("C230", "check", "bad period",
         "The header's `period` is not one of month, quarter, half, year or week, `ending day N` is used "
         "other than with `period month` and N from 1 to 28, or `gaps` is not `error` or `restart`."),
    Code("C231", "check", "bad header date",
         "An `effective` or `until` date does not exist in the calendar, or the policy ends before it "
         "starts."),
    Code("C232", "check", "bad range",
         "`in LOW .. HIGH` fits only a numeric input, and LOW must not be above HIGH."),
    Code("C233", "check", "bad choices",
         "`one of` fits only a text input, and each value may be listed once."),
    Code("C234", "check", "bad default",
         "An input's default must have the input's type, and be one of its choices if it has them."),
    Code("C235", "check", "output listed twice",
         "The `output` line names the same value twice; it is written once.", "warning"),
    Code("C236", "check", "'unless' on a value that is not a number",
         "`unless` makes a value 0 when its condition holds, so it fits only amounts and numbers."),
    Code("C240", "check", "previous without 'else'",
         "`previous(x, else v)` must say what to use in an employee's first period: there is no silent zero."),
    Code("C241", "check", "variant does not define a value",
         "Every variant of a `variants by` block must define the same values. Define the missing one there, "
         "or move it out of `variants`."),
    Code("C242", "check", "variants by something other than a text input",
         "`variants by X` chooses by the value of a text input; declare X as, for example, "
         "`input role : text one of ...`."),
    Code("C243", "check", "variants leave values uncovered",
         "Some values of the input have no variant. Add them to a variant, or add an `else:` variant."),
    Code("C244", "check", "history without a period",
         "`previous`, `streak` and `rolling_...` look at earlier periods, so the header needs a period, such "
         "as `period month`."),
    Code("C245", "check", "name expected",
         "`previous`, the rolling functions and group functions take the name of a value, not a formula; "
         "give the formula a name first. `previous` looks back 1 period or more."),
    Code("C246", "check", "group by something other than a text input",
         "`within X` forms groups by the value of a text input, such as region or level; use "
         "`within everyone` for all employees."),
    Code("C247", "check", "bad group function",
         "A group function other than `count` needs a value, as in `mean(sales within region)`; `rank` and "
         "`percentile` already leave the employee out, so they take no `except self`."),
    Code("C248", "check", "bad given(...)",
         "`given(x)` takes the name of an input that has no default (with a default, it is always given)."),
    Code("C249", "check", "bad combine rule",
         "`combine` is one of sum, mean, min, max, first or last; sum, mean, min and max need a numeric "
         "input."),
    Code("C250", "check", "policy it uses cannot be used",
         "The policy named by `uses` cannot be read, or policies use each other in a loop. The path is "
         "relative to this policy's folder."),
    Code("C251", "check", "version without an effective date",
         "A folder run as versions of one policy needs an `effective` date in each, to tell which applies "
         "to each period."),
    Code("C252", "check", "versions with different periods",
         "The versions of a policy in one folder must all have the same period kind."),
    Code("C253", "check", "bad version switch",
         "`version switch` names how a period that a version starts or ends within is computed: "
         "`on last day` (the version in force on the period's last day) or `prorated by days` (each version's "
         "values weighted by its days), optionally followed by `, rounded to 0.01` for prorated money."),
    Code("C254", "check", "output that days cannot prorate",
         "Under `version switch prorated by days` every output is a day-weighted mean of the versions' values, "
         "which only money, percents and numbers have: a text, a tier, a flag, a date or a count has none. "
         "Compute such periods by one version (`on last day`), or keep those values out of the outputs."),
    Code("C255", "check", "versions switch by different rules",
         "The versions of a policy in one folder state different `version switch` rules; a folder follows one. "
         "State the same rule in each version that states one."),
    Code("C256", "check", "versions in force on the same days",
         "Two versions of a policy in one folder are in force on the same day: one's `until` date is on or "
         "after the next one's `effective` date, or both take effect on the same day. attain does not choose "
         "between them: end the earlier one the day before the next one starts (or leave out its `until`)."),
    Code("C257", "check", "days no version covers",
         "A version's `until` date ends more than a day before the next version takes effect, so no version is "
         "in force on the days between: end it the day before, or add a version for those days."),
    Code("C258", "check", "versions in different currencies",
         "The versions of a policy in one folder declare currencies (`currency \"CNY\"`) that are not one "
         "currency; a policy pays in one. Declare the same currency in each version that declares one."),
    Code("C260", "check", "header line given twice",
         "A header line such as `version` or `period` appears twice. Keep one: attain does not choose "
         "between them."),
    Code("C261", "check", "variant for a value the input never takes",
         "A variant names a value that is not in its input's `one of` list, so it would never be chosen. "
         "Fix the spelling, or add the value to the list."),
    Code("C262", "check", "word of the language used as a name",
         "An input, value or tier is named by a word of the language (`true`, `false`, `if`, `first`, "
         "`otherwise`, ...), which a formula would read as the word. Choose another name."),
    Code("C263", "check", "bad 'written as'",
         "`written as` tells how a percent column's plain numbers are written: `points` (95 is 95%) or "
         "`decimals` (0.95 is 95%). It fits `percent` inputs only."),
    Code("C264", "check", "values nested too deeply",
         "A value is computed through more than 8,000 steps nested within one another: the levels of its "
         "formula, of the values it uses, and of theirs, down to the inputs. Compute it in fewer steps."),
    Code("C266", "check", "bad label",
         "A label (the readable name in quotes after a value's name: `input sales : money \"销售额\"`, "
         "`bonus \"奖金\" = ...`, `flag pip \"改进计划\" when ...`) is blank, names two values, or differs "
         "between the variants of one value. A label heads the value's column and names it on pages, and an "
         "input's label also names the data column it reads, so each must name one value."),
    # ---------------------------------------------------------------- check: rate tables and curves
    Code("C280", "check", "table file cannot be read",
         "A table kept in a file (`table rates from \"rates.csv\"`) is read from the policy's folder: the file "
         "is missing, cannot be read as CSV or xlsx, or has no rows, or the policy was taken from a git "
         "revision (whose table file attain does not read). The message says which."),
    Code("C281", "check", "bad cell in a table file",
         "A cell of a table file is empty, or a value cell is not a number (`3%`, `0.03`, `¥1,000`). The "
         "message names the cell; its first column and first row hold the keys: ranges such as `80% to "
         "100%`, texts, or `else`."),
    Code("C282", "check", "table row of the wrong width",
         "A row of a table needs one value, or in a grid one value per column, in the order of the "
         "`columns` line, separated by bars."),
    Code("C283", "check", "curve points out of order",
         "The points of a curve must rise, each once: the value between two neighbouring points is on the "
         "straight line between them, so the order is the curve's shape."),
    Code("C284", "check", "table keys that do not fit together",
         "One dimension of a table is keyed either by texts or by ranges of numbers, not both; a curve has "
         "two points or more; the points of a curve cannot key a grid's columns."),
    # ---------------------------------------------------------------- evaluation
    Code("C265", "check", "bad currency",
         "The `currency` header line names the one currency a policy pays in: an ISO 4217 code (`currency "
         "\"CNY\"`), a name attain knows (RMB, 元, HK$) or a sign (¥ $ € £). The data's money is checked against "
         "it (D437), so attain must know which currencies it stands for."),
    Code("C270", "check", "the period's days in a policy without a period",
         "`period_start`, `period_end`, `period_days`, `in_period`, `days_employed` and `months_employed` read "
         "the days of the period computed; a policy without a `period` line has none. Add one, such as "
         "`period month`."),
    Code("E301", "evaluation", "division by zero",
         "For this employee the divisor is 0. Guard the formula with the value the plan gives in that case, "
         "as in `a / b if b > 0 else ...`: the value after `else` is a decision of the plan, not a fix."),
    Code("E302", "evaluation", "missing value",
         "A value the formula needs is empty for this employee (or for an earlier period it looks at). Fill "
         "in the cell. An input's `default` fills every empty cell of it, for every employee, without a word: "
         "declare one only where the plan says what an empty cell means."),
    Code("E303", "evaluation", "no band row matches",
         "This employee's value falls in no row of the band, such as an input's default outside its "
         "declared range. Widen the rows or fix the value."),
    Code("E305", "evaluation", "no tier matches",
         "None of the tiers' conditions holds for this employee. End the tier table with an `otherwise` row."),
    Code("E306", "evaluation", "group value has no value",
         "A group value is taken over no one, such as the mean of an employee's peers when they have none. "
         "Guard it, for example with `count(within ... except self) > 0`."),
    Code("E308", "evaluation", "row refused by the policy",
         "A `refuse \"...\" when CONDITION` line of the policy holds for this employee: the source document "
         "rules such a row out (a total above its maximum, say), so it is not paid. The message is the "
         "policy's own, with the values that made the condition hold. Correct the data, or the policy's "
         "limit if it is wrong."),
    Code("E310", "evaluation", "gap in an employee's history",
         "The policy looks at earlier periods, and the data skips a period for this employee. Add the missing "
         "rows, or write `gaps restart` in the header to start the history again."),
    Code("E320", "evaluation", "period outside the policy's dates",
         "The data has rows for a period outside the policy's `effective` and `until` dates. Run the folder "
         "of versions, which picks the version in force for each period."),
    Code("E321", "evaluation", "no version in force",
         "No version in the folder applies to a period of the data. Add a version for it, or remove those "
         "rows."),
    Code("E330", "evaluation", "date off the calendar",
         "A date moved by days lands before the year 1 or after 9999, or moves by part of a day (a number of "
         "days that is not whole, such as half of an odd number). Dates move by whole days: round the days "
         "the way the plan says, as in `hired + round(days / 2, 1, down)`."),
    Code("E331", "evaluation", "leave date before hire date",
         "For this employee the leave date given to `days_employed` or `months_employed` is earlier than the "
         "hire date, so no day of employment can be counted. Correct the dates in the data."),
    # ---------------------------------------------------------------- data
    Code("D401", "data", "data file is not UTF-8",
         "A CSV file is read as UTF-8, or else as GB18030 (GBK, what Chinese Excel saves); this one is neither, "
         "and the message shows the first byte that is not part of a character. YAML and JSON are UTF-8 only. "
         'Save the file as UTF-8; in Excel choose "CSV UTF-8 (Comma delimited)".'),
    Code("D402", "data", "data file is not valid CSV, YAML or JSON",
         "The file's syntax is broken at the place shown, such as a quoted CSV cell that never closes."),
    Code("D403", "data", "no table in the data file",
         "The file has no header row, or (YAML, JSON) is not a list of records, one mapping of column names "
         "to values per employee."),
    Code("D404", "data", "bad column name",
         "A column of the header has no name, or two columns have the same name. Name every column once."),
    Code("D405", "data", "row wider than the header",
         "A row has more values than the header has columns. Remove the extra values, or name their column."),
    Code("D406", "data", "cell holds several values",
         "In a YAML or JSON file, a cell holds a list or a mapping; a cell holds one value."),
    Code("D407", "data", "unreadable Excel workbook",
         "The file is not an Excel workbook attain can read, or it has no worksheet (of the name given with "
         "`--sheet`)."),
    Code("D408", "data", "Excel formula without a saved value",
         "A cell holds a formula whose result was never saved. Open and save the file in Excel."),
    Code("D409", "data", "Excel error value",
         "A cell holds an Excel error such as #DIV/0!. Fix the formula or the value in Excel, or clear the "
         "cell."),
    Code("D410", "data", "no employee column",
         "The data has no column naming the employee: add a column `id` (or `编号`, `工号`, `employee`), or "
         "name it with `--id-column`."),
    Code("D411", "data", "no column for an input",
         "The data has no column named after an input or its label. Add the column. An input with a "
         "`default` needs no column, but then every employee gets the default."),
    Code("D413", "data", "cell does not fit its input",
         "A cell is not a value of its input's type, range or choices (or a row has no employee id, or a bad "
         "period). The message shows what was expected and what the cell holds."),
    Code("D414", "data", "employee appears twice",
         "The data has two rows for one employee (in one period). Give each employee one row; if the data "
         "holds several periods, declare the policy's `period`."),
    Code("D415", "data", "no period column",
         "The policy looks at earlier periods, or reads the period's days (`period_start`, `days_employed`, ...), "
         "so the data needs a `period` column (such as 2023-07) or a `date` column."),
    Code("D416", "data", "rows disagree within a period",
         "An employee's rows in one period give different values of an input without a `combine` rule. Each "
         "rule (sum, mean, min, max, first, last) gives another value, and the hint shows each one: choose the "
         "rule the plan means. A rule rolls up one input at a time, so a value of each row that needs several "
         "inputs, such as an amount times its split share, must be computed per row, not from combined "
         "inputs."),
    Code("D417", "data", "column clashes with a used policy's output",
         "The data has a column with the name of an output of the policy this one `uses`. Rename the column "
         "or the output."),
    Code("D418", "data", "combined value outside its range",
         "An input combined over an employee's rows in one period (such as their sum) falls outside the "
         "input's declared range."),
    Code("D430", "data", "total row",
         "A row's employee id (or, without an id, its first text) reads like a total or subtotal (合计, 小计, "
         "Total, Sum), so it would be paid as an employee. Remove the row; if it is an employee's id, say so "
         "with `--allow-id`."),
    Code("D431", "data", "percents written as points",
         "A percent column holds plain numbers such as 95 that read as 9,500%. Write 95% or 0.95, or declare "
         "how the column is written: `written as points` (95 is 95%) or `written as decimals`."),
    Code("D432", "data", "column matched by a near name",
         "No column has an input's name or label exactly, but one does once spaces, line breaks, full-width "
         "punctuation, case and a unit such as （%） are set aside; attain reads it and says so.",
         "warning"),
    Code("D433", "data", "several columns fit one input",
         "Two columns fit one input once spaces, punctuation and units are set aside (or one column fits two "
         "inputs). Rename the columns so each input has one."),
    Code("D434", "data", "column in another unit",
         "A column fits an input but for a unit that scales its values, such as 万元 (10,000 yuan) or 千元. "
         "attain does not rescale: give the amounts in the input's unit, in a column without that unit."),

    Code("D435", "data", "which row is the header?",
         "The first rows of a CSV file or sheet leave it unclear which one names the columns: the row after "
         "the likely header has values in columns that row does not name. Name the header with "
         "`--header-row N` (the line of the CSV file, or the row of the sheet). Title rows of one cell above "
         "the header are skipped without asking."),
    Code("D436", "data", "CSV read as GB18030",
         "The CSV file is not UTF-8 but reads as GB18030 (GBK), the encoding Chinese Excel saves CSV in; attain "
         'read it so. Save it as "CSV UTF-8 (Comma delimited)" to read it without this warning.', "warning"),
    Code("D437", "data", "money in another currency",
         "A money cell carries a currency sign (¥ ￥ $ € £), or a row's currency column (`currency`, `币种`) a code, "
         "of another currency than the policy's (`currency \"CNY\"` in its header) or, without one, than the "
         "amounts of the data before it. A policy pays in one currency: convert the amounts before the run, or "
         "run each currency's rows with a policy of its own. ¥ stands for CNY and JPY, $ for USD and the other "
         "dollars and pesos."),
    # ---------------------------------------------------------------- usage
    Code("U501", "usage", "file does not exist",
         "The policy or data file named on the command line does not exist. Check the path."),
    Code("U502", "usage", "policy file is not UTF-8",
         "Policy files are UTF-8 text; save the file as UTF-8."),
    Code("U503", "usage", "file cannot be read",
         "The file exists but cannot be read: it is a folder, or permissions forbid it (or standard input "
         "cannot be read)."),
    Code("U504", "usage", "unknown file format",
         "The data file's extension does not say its format: use a .csv, .xlsx, .yaml, .yml or .json file. "
         "Output formats are csv, json, table and xlsx."),
    Code("U505", "usage", "output file cannot be written",
         "The `--out` file cannot be written, for example because its folder does not exist."),
    Code("U506", "usage", "Excel output to the terminal",
         "An Excel workbook cannot be written to standard output; name an output file ending in .xlsx with "
         "`--out`."),
    Code("U507", "usage", "sheet name for data that is not Excel",
         "`--sheet` applies only to an .xlsx data file; leave it out."),
    Code("U540", "usage", "--header-row for data that has none",
         "`--header-row` applies to CSV files and Excel sheets (and counts from 1); YAML and JSON records name "
         "their own columns. Leave it out."),
    Code("U541", "usage", "no header at --header-row",
         "The line (or sheet row) that `--header-row` names is blank, or past the end of the data. Give the "
         "number of the row that names the columns."),
    Code("U508", "usage", "standard output cannot be written",
         "The results could not be written to standard output, for example because the disk it goes to is "
         "full. Free some space, or write to a file with `--out`."),
    Code("U510", "usage", "no such employee",
         "`--who` names an employee the data does not have. The hint suggests the closest id."),
    Code("U511", "usage", "no such value",
         "`--value` names a value the policy does not define."),
    Code("U512", "usage", "--period without periods",
         "The data has no period column, so `--period` does not apply; leave it out."),
    Code("U513", "usage", "no row for that period",
         "The employee has no row for the period given with `--period`; the hint lists their periods."),
    Code("U520", "usage", "git not found",
         "Reading `PATH@REV` runs git, which is not installed or not on PATH. Install git, or give a plain "
         "file."),
    Code("U521", "usage", "not in a git repository",
         "`PATH@REV` reads a file from git history, but the file's folder is not inside a git repository."),
    Code("U522", "usage", "no such git revision",
         "The revision after `@` does not exist in the repository; see `git log`."),
    Code("U523", "usage", "file not in that revision",
         "The revision has no file at that path (or it is a folder there); see "
         "`git ls-tree -r --name-only REV`."),
    Code("U524", "usage", "malformed PATH@REV",
         "Write the policy file, then `@` and a revision, as in `policies/x.policy@HEAD~1`."),
    Code("U525", "usage", "git did not answer",
         "git took too long to read the revision. Check the repository with `git status`, or export the old "
         "version to a file."),
    Code("U526", "usage", "policy in git is not UTF-8",
         "The policy file as stored in that revision is not UTF-8 text."),
    Code("U527", "usage", "git failed",
         "git could not be run, or could not read the file from the revision; the hint gives git's message."),
    Code("U530", "usage", "folder without policies",
         "A folder run as versions of a policy must hold at least one .policy file."),
    Code("U560", "usage", "cannot vary that input",
         "`attain curve --vary` names an input the policy does not have, or one that is not a number (money, "
         "percent, number or count); the hint lists the inputs that can vary."),
    Code("U561", "usage", "headless Chromium needed",
         "A PDF or PNG is drawn by headless Chromium (the `chromium` program), which is not installed or "
         "failed. Install it (Debian: `apt-get install chromium`), or write HTML or SVG instead."),
    Code("U562", "usage", "bad value for a curve",
         "`--from`, `--to` or `--at NAME=VALUE` is not a number the input's type reads, `--from` is not "
         "below `--to`, or `--at` names no input; or the curve has neither `--who` with `--data` nor `--at`."),
    Code("U563", "usage", "nothing to draw",
         "The value a curve draws is not a number (a tier or a text), or no employee was named for a "
         "statement (`--who ID` or `--all`)."),
    Code("U564", "usage", "--keep names no data column",
         "`attain run --keep COLUMN` copies a column of the data into the results; the data has no column of "
         "that name. The hint suggests a close one or lists the columns."),
    Code("U565", "usage", "--keep names a column the results have",
         "The column named by `--keep` is already in the results (the id, the period, or an output of the "
         "same name)."),
    Code("U566", "usage", "kept column has several values",
         "A column named by `--keep` has different values in the rows that make one employee's result for a "
         "period (dated rows, or months added up into a quarter), so there is no one value to copy."),
    Code("U567", "usage", "attain init would overwrite a file",
         "`attain init` writes a starter policy, its data and its test into a folder, and never over files "
         "that are there: choose an empty or new folder."),
    Code("U568", "usage", "curve over a group too large",
         "The value a curve draws reads a group value (`rank`, `percentile`, `mean` ... `within`) over the "
         "varied input, so every point computes the employee's whole period again, and the period is too "
         "large for the points drawn. Draw a value no group value reads, or give data holding the group alone."),
    Code("U569", "usage", "construct the duckdb engine does not compile yet",
         "`--engine duckdb` compiles every construct of the language today; a construct added to the language "
         "may be refused by it until it is compiled: the message names the one at the place shown. "
         "Nothing is computed; run the policy with `--engine python`, which computes every construct. "
         "`docs/engines.md` lists what the duckdb engine does not compile yet."),
    # ---------------------------------------------------------------- policy tests
    Code("T601", "test", "test file does not exist",
         "A path given to `attain test` does not exist, or a test file cannot be read as UTF-8 text."),
    Code("T602", "test", "test file is not valid YAML",
         "The test file's YAML syntax is broken at the place shown."),
    Code("T603", "test", "wrong kind of value",
         "A part of the test file has the wrong shape: a list where a single value belongs, an empty value, "
         "or a mapping missing. The message names the part."),
    Code("T604", "test", "unknown or repeated key",
         "A key is misspelt or not allowed in this place, or given twice; the hint lists the allowed keys."),
    Code("T605", "test", "case incomplete",
         "The file has no cases, or a case has no `name`, no policy, or nothing to expect. Every case names a "
         "policy and expects results, a check finding or an error."),
    Code("T606", "test", "keys that do not go together",
         "A case has both `rows` and `data`, `expect` without input, `defaults` without `rows`, or both "
         "`expect` and `expect_error`."),
    Code("T607", "test", "bad expectation",
         "An `expect`, `expect_check` or `expect_error` entry is not written as expected: it names no "
         "employee, no value, or a code that is not a letter and three digits."),
    Code("T608", "test", "file named by a test does not exist",
         "The policy or data file a test names does not exist; its path is relative to the test file's "
         "folder."),
    Code("T609", "test", "two cases with one name",
         "Every case of a test file needs its own name, so a failure says which one failed."),
    Code("T610", "test", "no test files",
         "No file ending in `.test.yaml` was found under the paths given."),
)


def _registry(declared: tuple[Code, ...]) -> dict[str, Code]:
    codes: dict[str, Code] = {}
    for c in declared:
        if c.code in codes:
            raise ValueError(f"diagnostic code {c.code} is declared twice")
        codes[c.code] = c
    return codes


from attain.codes.spark import SPARK_CODES  # noqa: E402  (the spark engine's and `attain sql`'s: U580-U583)

CODES = _registry(_DECLARED + tuple(Code(*c) for c in ACCRUAL_CODES + LINE_CODES + ORG_CODES + PARQUET_CODES)
                  + SPARK_CODES)


def markdown(lang: str = "en") -> str:
    """docs/errors.md (or, with lang "zh", docs/errors.zh.md): every code, grouped by stage, one table per stage."""
    if lang == "zh":
        return _markdown_zh()
    out = [
        "# Diagnostic codes",
        "",
        "Every problem attain reports carries a stable code, shown as `error[C216]` or `warning[C219]`",
        "and, where the problem has a place, followed by the file, line and column with a caret under it.",
        "This page says what each code means and what to do about it. Warnings are reported, but the",
        "policy still runs.",
        "",
        "Generated from the registry in `attain/codes/` by `python3 -m attain.codes > docs/errors.md`;",
        "do not edit it by hand.",
    ]
    for stage, (_letter, heading, intro) in STAGES.items():
        out += ["", f"## {heading}", "", intro, "", "| Code | Problem | What it means |", "|---|---|---|"]
        for c in CODES.values():
            if c.stage == stage:
                code = f"`{c.code}` (warning)" if c.severity == "warning" else f"`{c.code}`"
                out.append(f"| {code} | {c.title} | {c.meaning} |")
    return "\n".join(out) + "\n"


def _markdown_zh() -> str:
    """docs/errors.zh.md: the page of codes in Chinese; a code not yet translated shows its English."""
    from attain.codes.zh import STAGES_ZH, ZH

    out = [
        "# 诊断代码",
        "",
        "attain 报告的每个问题都带有一个固定的代码，显示为 `错误[C216]` 或 `警告[C219]`（英文界面为",
        "`error[C216]`、`warning[C219]`）；问题有位置时，后面是文件、行和列，并在原文下方用 ^ 标出。",
        "本页说明每个代码的含义和处理办法。警告会被报告，但方案仍然运行。",
        "",
        "由 `attain/codes/` 中的登记表和 `attain/codes/zh.py` 中的译文生成：",
        "`python3 -m attain.codes --lang zh > docs/errors.zh.md`；请勿手工编辑。",
        "English: [errors.md](errors.md).",
    ]
    for stage in STAGES:
        heading, intro = STAGES_ZH[stage]
        out += ["", f"## {heading}", "", intro, "", "| 代码 | 问题 | 含义 |", "|---|---|---|"]
        for c in CODES.values():
            if c.stage == stage:
                code = f"`{c.code}`（警告）" if c.severity == "warning" else f"`{c.code}`"
                title, meaning = ZH.get(c.code, (c.title, c.meaning + "（尚无中文）"))
                out.append(f"| {code} | {title} | {meaning} |")
    return "\n".join(out) + "\n"
