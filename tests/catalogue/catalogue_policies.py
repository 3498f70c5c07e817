"""Bad policies: each syntax mistake, check error and oversized formula, through every command that reads a policy.

A bad policy is written as p.policy beside good data (d.csv), a good policy
(good.policy, the OLD side of diff) and a test file naming it (t.test.yaml).
Each is run through check, run (with --out, in turn csv, json and xlsx) and
explain; syntax mistakes also through check --format json, fmt, diff and test,
and a sample of check errors through diff and test: each of these renders
diagnostics by its own path.
"""

from __future__ import annotations

import dataclasses
import itertools

from catalogue_kit import Case, at, if_chain, long_sum, nested_parentheses, not_chain

H = 'policy "p"\n'
IN = H + "input sales : money\ninput target : money\n"  # lines 1-3
GOOD = IN + "attainment = sales / target\noutput attainment\n"
DATA = "id,sales,target\nA,100,80\nB,200,100\n"
TEST_FILE = 'policy: p.policy\ncases:\n  - name: A\n    data: d.csv\n    expect:\n      A: {attainment: "1.25"}\n'


@dataclasses.dataclass(frozen=True)
class Bad:
    """A bad policy text, the code it must give and where (a `needle` in the text, or an explicit place).

    `attain test` exits 1 for a case whose policy does not load, whatever the reason: a failed case.
    """""

    id: str
    text: str | bytes
    code: str
    needle: str | None = None  # the message points at this text's first occurrence (line and column)
    place: str | None = None  # or at this place, written out (`p.policy:4`: any column)
    files: tuple[tuple[str, str | bytes], ...] = ()
    bug: str | None = None
    bug_in: tuple[str, ...] = ()  # the commands the bug shows in (none named: every one)
    skip: tuple[str, ...] = ()  # commands for which the input is not bad

    def where(self) -> str | None:
        if self.needle is not None:
            assert isinstance(self.text, str)
            return at(self.text, self.needle)
        return self.place


def _syntax() -> list[Bad]:
    band = IN + "x = band sales\n"
    return [
        Bad("unexpected-character", IN + "x = sales $ 2\noutput x\n", "P100", "$"),
        Bad("character-inside-a-name", IN + "x = sal@es * 2\noutput x\n", "P100", "@"),
        Bad("stray-closing-parenthesis", IN + "x = sales + 1)\noutput x\n", "P100", ")"),
        Bad("word-where-a-value-goes", IN + "x = if sales\noutput x\n", "P100", "sales\n"),
        Bad("two-values-without-operator", IN + "x = sales target\noutput x\n", "P100", "target\n"),
        Bad("arrow-outside-a-block", IN + "x = sales -> 1\noutput x\n", "P100", "->"),
        Bad("policy-without-a-name", "policy\ninput sales : money\n", "P100", place="p.policy:1"),
        Bad("nul-character", IN + "x = sales\x00 * 2\noutput x\n", "P100", "\x00"),
        Bad("chinese-quotes", IN.replace("money\n", "money “销售额”\n", 1), "P100", "“"),
        Bad("band-row-without-arrow", band + "    >= 100 1\n    below 100 -> 0\noutput x\n", "P101",
            place="p.policy:5"),
        Bad("lookup-row-without-arrow", H + 'input r : text\nx = lookup r\n    "a" 1\n    else -> 0\noutput x\n',
            "P101", place="p.policy:4"),
        Bad("lookup-else-without-arrow", H + 'input r : text\nx = lookup r\n    "a" -> 1\n    else 0\noutput x\n',
            "P101", place="p.policy:5"),
        Bad("definition-without-equals", IN + "x sales * 2\noutput x\n", "P102", place="p.policy:4"),
        Bad("misspelt-header-word", H + "perod month\ninput sales : money\noutput sales\n", "P102",
            place="p.policy:2"),
        Bad("input-without-colon", IN + "input rate percent\noutput sales\n", "P103", place="p.policy:4"),
        Bad("input-without-type", IN + "input rate\noutput sales\n", "P103", place="p.policy:4"),
        Bad("formula-ends-in-plus", IN + "x = sales +\noutput x\n", "P104", place="p.policy:4"),
        Bad("formula-ends-at-end-of-file", IN + "x = sales *", "P104", place="p.policy:4"),
        Bad("band-rows-not-indented", band + ">= 100 -> 1\nbelow 100 -> 0\noutput x\n", "P105",
            place="p.policy:5"),
        Bad("band-without-rows", band + "output x\n", "P105", place="p.policy:4"),
        Bad("weight-without-percent", IN + "x = weighted\n    sales 40\n    target 60%\noutput x\n", "P106",
            place="p.policy:5"),
        Bad("weight-missing", IN + "x = weighted\n    sales\n    target 100%\noutput x\n", "P106",
            place="p.policy:5"),
        Bad("no-policy-line", "input sales : money\noutput sales\n", "P107", place="p.policy:1"),
        Bad("empty-file", "", "P100", place="p.policy:1"),
        Bad("only-comments", "# a policy to be written\n# by HR\n", "P100", place="p.policy:1"),
        Bad("percent-sign-alone", IN + "x = sales * %\noutput x\n", "P110", "%"),
        Bad("percent-after-a-space", IN + "x = sales * 15 %\noutput x\n", "P110", "%"),
        Bad("label-without-closing-quote", IN + 'input rate : percent "回款率\noutput sales\n', "P111", '"回款率'),
        Bad("lookup-key-without-closing-quote",
            H + 'input r : text\nx = lookup r\n    "华东 -> 1\n    else -> 2\noutput x\n', "P111", '"华东'),
        Bad("tab-indenting-a-row", band + "\t>= 100 -> 1\n    below 100 -> 0\noutput x\n", "P112", "\t"),
        Bad("tab-after-spaces", band + "    \t>= 100 -> 1\n    below 100 -> 0\noutput x\n", "P112",
            place="p.policy:5:1"),
        Bad("tab-indenting-a-definition", IN + "\tx = sales\noutput x\n", "P112", "\t"),
        Bad("tab-indenting-a-continued-line", IN + "x = sales\n\t* 2\noutput x\n", "P112", "\t"),
        Bad("full-width-colon", H + "input sales ： money\noutput sales\n", "P113", "："),
        Bad("full-width-comma", IN + "output sales，target\n", "P113", "，"),
        Bad("full-width-parenthesis", IN + "x = （sales + target) * 2\noutput x\n", "P113", "（"),
        Bad("full-width-equals", IN + "x ＝ sales * 2\noutput x\n", "P113", "＝"),
        Bad("full-width-percent", IN + "x = sales * 15％\noutput x\n", "P113", "％"),
        Bad("row-indented-to-no-level", band + "    >= 100 -> 1\n  below 100 -> 0\noutput x\n", "P114",
            place="p.policy:6"),
        Bad("definition-indented", IN + "  x = sales\noutput x\n", "P100", place="p.policy:4:1"),
        Bad("february-30-in-a-formula", H + "input hired : date\nnew = hired >= 2023-02-30\noutput new\n", "P115",
            "2023-02-30"),
        Bad("month-13-in-a-formula", H + "input hired : date\nnew = hired >= 2023-13-01\noutput new\n", "P115",
            "2023-13-01"),
        Bad("ending-day-not-whole", H + "period month ending day 2.5\ninput sales : money\noutput sales\n", "P116",
            "2.5"),
        Bad("previous-periods-not-whole",
            H + "period month\ninput sales : money\nx = previous(sales, 1.5, else 0)\noutput x\n", "P116", "1.5"),
        Bad("parenthesis-never-closed", IN + "x = (sales + target * 2\noutput x\n", "P119", "("),
        Bad("second-mistake-reported-too", IN + "x = sales +\ny = target $ 2\noutput x\n", "P100", "$"),
    ]


def _check() -> list[Bad]:
    pct = H + "input a : percent\n"
    tiers = pct + "t = first match\n"
    text_r = H + 'input r : text one of "a", "b"\n'
    uses_q = H + 'uses "q.policy"\ninput a : money\noutput a\n'
    return [
        Bad("defined-twice", IN + "x = sales\nx = target\noutput x\n", "C201", place="p.policy:5"),
        Bad("unknown-type", H + "input a : mony\noutput a\n", "C202", "mony"),
        Bad("unknown-name", IN + "x = salse * 2\noutput x\n", "C203", "salse"),
        Bad("unknown-name-in-band", IN + "x = band sale\n    >= 1 -> 1\n    below 1 -> 0\noutput x\n", "C203",
            "sale\n"),
        Bad("unknown-name-in-output", IN + "x = sales\noutput x, y\n", "C203", place="p.policy:5:11"),
        Bad("unknown-name-in-weights", IN + "s = 1\nx = weighted\n    s 50%\n    t 50%\noutput x\n", "C203", "t 50%"),
        Bad("unknown-name-in-chinese", H + "input 销售额 : money\n达成 = 销售 * 2\noutput 达成\n", "C203", "销售 "),
        Bad("cycle-of-one", IN + "x = x + sales\noutput x\n", "C204", place="p.policy:4"),
        Bad("cycle-of-two", IN + "x = y + sales\ny = x * 2\noutput x\n", "C204", place="p.policy:4"),
        Bad("cycle-of-three", IN + "x = y + sales\ny = z * 2\nz = x / 2\noutput x\n", "C204", place="p.policy:4"),
        Bad("cycle-through-a-band", IN + "x = band y\n    >= 1 -> 1\n    below 1 -> 0\ny = x * 2\noutput x\n",
            "C204", place="p.policy:4"),
        Bad("condition-not-yes-or-no", IN + "x = 1 if sales else 2\noutput x\n", "C205", "sales else"),
        Bad("money-plus-percent", IN + "x = sales + 5%\noutput x\n", "C206", "sales + 5%"),
        Bad("money-times-money", IN + "x = sales * target\noutput x\n", "C206", "sales * target"),
        Bad("money-compared-with-percent", IN + "x = 1 if sales > 5% else 0\noutput x\n", "C206", "sales > 5%"),
        Bad("branches-in-two-units", IN + "x = sales if sales > 0 else 5%\noutput x\n", "C206", place="p.policy:4"),
        Bad("result-of-a-value-that-is-no-tier", IN + "x = sales.coefficient\noutput x\n", "C207", place="p.policy:4"),
        Bad("divided-by-zero-as-written", IN + "x = sales / 0\noutput x\n", "C208", place="p.policy:4"),
        Bad("unknown-tier-name", tiers + "    high : a >= 100% -> coefficient 1\n    low : otherwise -> coefficient 0\n"
            'x = 1 if t = "hihg" else 0\noutput x\n', "C209", '"hihg"'),
        Bad("unknown-function", IN + "x = sqrt(sales)\noutput x\n", "C210", "sqrt"),
        Bad("round-without-step", IN + "x = round(sales)\noutput x\n", "C211", "round"),
        Bad("round-to-zero", IN + "x = round(sales, 0)\noutput x\n", "C212", place="p.policy:4"),
        Bad("band-over-text", H + "input r : text\nx = band r\n    >= 1 -> 1\n    below 1 -> 0\noutput x\n", "C213",
            place="p.policy:3"),
        Bad("band-row-backwards", IN + "x = band sales\n    below 5 -> 0\n    5 to 1 -> 1\n    >= 5 -> 2\noutput x\n",
            "C214", "5 to 1"),
        Bad("otherwise-not-last", IN + "x = band sales\n    otherwise -> 0\n    >= 1 -> 1\noutput x\n", "C215",
            "otherwise"),
        Bad("band-with-a-gap", pct + "x = band a\n    >= 100% -> 1\n    below 80% -> 0\noutput x\n", "C216",
            "band a"),
        Bad("band-with-a-gap-in-the-middle",
            pct + "x = band a\n    >= 120% -> 3\n    100% to 120% -> 2\n    60% to 80% -> 1\n    below 60% -> 0\n"
            "output x\n", "C216", "band a"),
        Bad("band-with-an-overlap",
            pct + "x = band a\n    >= 100% -> 2\n    90% to 110% -> 1\n    below 90% -> 0\noutput x\n", "C217",
            place="p.policy:5"),
        Bad("band-row-outside-the-range",
            H + "input a : number in 0 .. 5\nx = band a\n    >= 0 -> 1\n    above 6 -> 2\noutput x\n", "C218",
            place="p.policy:5"),
        Bad("payout-not-money", H + "input a : number\npayout x = a * 2\n", "C221", place="p.policy:3"),
        Bad("lookup-over-a-number", H + 'input a : number\nx = lookup a\n    "1" -> 1\n    else -> 0\noutput x\n',
            "C222", place="p.policy:3"),
        Bad("lookup-key-twice", H + 'input r : text\nx = lookup r\n    "a" -> 1\n    "a" -> 2\n    else -> 0\n'
            "output x\n", "C223", '"a" -> 2'),
        Bad("lookup-key-outside-one-of", text_r + 'x = lookup r\n    "a" -> 1\n    "c" -> 2\n    else -> 0\n'
            "output x\n", "C224", '"c"'),
        Bad("lookup-leaves-values-uncovered", H + 'input r : text\nx = lookup r\n    "a" -> 1\noutput x\n', "C225",
            place="p.policy:3"),
        Bad("weights-add-up-to-90", IN + "x = weighted\n    sales 40%\n    target 50%\noutput x\n", "C226",
            "weighted"),
        Bad("weights-add-up-to-110", IN + "x = weighted\n    sales 60%\n    target 50%\noutput x\n", "C226",
            "weighted"),
        Bad("weights-of-thirds", H + "input a : number\ninput b : number\ninput c : number\n"
            "x = weighted\n    a 33%\n    b 33%\n    c 33%\noutput x\n", "C226", "weighted"),
        Bad("tier-result-missing", tiers + "    high : a >= 100% -> coefficient 1\n    low : otherwise\noutput t\n",
            "C227", place="p.policy:3"),
        Bad("tier-never-reached", tiers + "    any : a >= 0% -> coefficient 1\n    high : a >= 100% -> coefficient 2\n"
            "    low : otherwise -> coefficient 0\noutput t\n", "C228", "high"),
        Bad("tier-after-otherwise", tiers + "    low : otherwise -> coefficient 0\n"
            "    high : a >= 100% -> coefficient 2\noutput t\n", "C228", "high"),
        Bad("tiers-leave-values-uncovered", tiers + "    high : a >= 100% -> coefficient 1\noutput t\n", "C229",
            place="p.policy:3"),
        Bad("period-decade", H + "period decade\ninput a : money\noutput a\n", "C230", place="p.policy:2"),
        Bad("ending-day-31", H + "period month ending day 31\ninput a : money\noutput a\n", "C230",
            place="p.policy:2"),
        Bad("until-before-effective", H + "effective 2023-05-01\nuntil 2023-01-01\ninput a : money\noutput a\n",
            "C231", place="p.policy:3"),
        Bad("effective-february-30", H + "effective 2023-02-30\ninput a : money\noutput a\n", "C231",
            place="p.policy:2"),
        Bad("range-upside-down", H + "input a : number in 5 .. 1\noutput a\n", "C232", place="p.policy:2"),
        Bad("choices-on-a-number", H + 'input a : number one of "x"\noutput a\n', "C233", place="p.policy:2"),
        Bad("choice-listed-twice", H + 'input r : text one of "a", "a"\noutput r\n', "C233", place="p.policy:2"),
        Bad("default-of-the-wrong-type", H + 'input a : money default "x"\noutput a\n', "C234", place="p.policy:2"),
        Bad("unless-on-text", H + 'input a : money\nx = "t" unless a > 0\noutput x\n', "C236", place="p.policy:3"),
        Bad("previous-without-else", H + "period month\ninput a : money\nx = previous(a)\noutput x\n", "C240",
            "previous"),
        Bad("variant-missing-a-value", text_r + 'variants by r\n    "a":\n        x = 1\n        y = 2\n    "b":\n'
            "        x = 3\noutput x, y\n", "C241", place="p.policy:7"),
        Bad("variants-by-a-number", H + 'input n : number\nvariants by n\n    "a":\n        x = 1\n    else:\n'
            "        x = 2\noutput x\n", "C242", place="p.policy:3"),
        Bad("variants-leave-values-uncovered", text_r + 'variants by r\n    "a":\n        x = 1\noutput x\n', "C243",
            place="p.policy:3"),
        Bad("history-without-a-period", H + "input a : money\nx = previous(a, else 0)\noutput x\n", "C244",
            "previous"),
        Bad("previous-of-a-formula", H + "period month\ninput a : money\nx = previous(a * 2, else 0)\noutput x\n",
            "C245", place="p.policy:4"),
        Bad("group-by-a-number", H + "input n : number\ninput s : money\nm = mean(s within n)\noutput m\n", "C246",
            place="p.policy:4"),
        Bad("rank-except-self", H + "input g : text\ninput s : money\nm = rank(s within g except self)\noutput m\n",
            "C247", place="p.policy:4"),
        Bad("given-with-a-default", H + "input a : number default 1\nb = given(a)\noutput b\n", "C248",
            place="p.policy:3"),
        Bad("combine-often", H + "period month\ninput a : money combine often\noutput a\n", "C249",
            place="p.policy:3"),
        Bad("uses-a-missing-file", H + 'uses "monthly.policy"\ninput a : money\noutput a\n', "C250",
            place="p.policy:2"),
        Bad("uses-a-folder", H + 'uses "sub"\ninput a : money\noutput a\n', "C250", place="p.policy:2",
            files=(("sub/keep.txt", ""),)),
        Bad("uses-a-path-with-nul", H + 'uses "month\x00ly.policy"\ninput a : money\noutput a\n', "C250",
            place="p.policy:2"),
        Bad("uses-itself", H + 'uses "p.policy"\ninput a : money\noutput a\n', "C250", place="p.policy:2"),
        Bad("uses-in-a-loop", uses_q, "C250", place="p.policy:2",
            files=(("q.policy", 'policy "q"\nuses "p.policy"\ninput a : money\noutput a\n'),)),
        # check reports what is wrong in the file it is given; q.policy's own mistakes are found by checking it.
        Bad("uses-a-policy-with-a-mistake", uses_q, "P100", place="q.policy:2",
            files=(("q.policy", 'policy "q"\nx = 1 $ 2\n'),), skip=("check",)),
        Bad("version-twice", H + 'version "1"\nversion "2"\ninput a : money\noutput a\n', "C260",
            place="p.policy:3"),
        Bad("period-twice", H + "period month\nperiod quarter\ninput a : money\noutput a\n", "C260",
            place="p.policy:3"),
        Bad("variant-for-a-value-never-taken", text_r + 'variants by r\n    "a":\n        x = 1\n    "c":\n'
            "        x = 2\n    else:\n        x = 3\noutput x\n", "C261", '"c"'),
        Bad("value-named-true", IN + "true = sales\noutput sales\n", "C262", "true"),
        Bad("input-named-if", H + "input if : money\noutput if\n", "C262", "if"),
        Bad("tier-named-otherwise", tiers + "    otherwise : a >= 100% -> coefficient 1\n"
            "    low : otherwise -> coefficient 0\noutput t\n", "C262", "otherwise"),
        Bad("written-as-points-on-money", H + "input a : money written as points\noutput a\n", "C263",
            place="p.policy:2"),
    ]


def _large() -> list[Bad]:
    """Formulas nested deep or long: the structure must not crash anything on the way to the real mistake."""
    return [
        Bad("500-parentheses-then-unknown-name", IN + f"x = {nested_parentheses(500, 'sales')} + nope\noutput x\n",
            "C203", "nope"),
        Bad("sum-of-600-terms-then-unknown-name", IN + f"x = {long_sum(600, 'sales')} + nope\noutput x\n", "C203",
            "nope"),
        Bad("600-chained-ifs-then-unknown-name", IN + f"x = {if_chain(600, 'sales')}\ny = nope\noutput x, y\n",
            "C203", "nope"),
        Bad("200-nots-then-unknown-name", IN + f"x = 1 if {not_chain(200, 'sales > 0')} else 0\ny = nope\n"
            "output x, y\n", "C203", "nope"),
        Bad("500-parentheses-then-bad-character", IN + f"x = {nested_parentheses(500, 'sales')} $ 2\noutput x\n",
            "P100", "$"),
        Bad("3000-parentheses-then-unknown-name", IN + f"x = {nested_parentheses(3000, 'sales')} + nope\noutput x\n",
            "C203", "nope"),
        Bad("1500-nested-sums", IN + f"x = {'(sales + ' * 1500}1{')' * 1500}\noutput x\n", "P117", place="p.policy:4"),
        Bad("number-of-5000-digits", IN + f"x = sales * {'9' * 5000}\noutput x\n", "P118", "9"),
        Bad("band-bound-of-4301-digits", IN + f"x = band sales\n    >= {'1' * 4301} -> 1\n    below {'1' * 4301} -> 0\n"
            "output x\n", "P118", "1" * 4301),
        Bad("line-of-a-million-characters", IN + "# " + "注" * 1_000_000 + "\nx = salse\noutput x\n", "C203",
            "salse"),
        Bad("name-of-10000-characters", IN + f"x = {'s' * 10_000}\noutput x\n", "C203", "s" * 10_000),
        Bad("2000-definitions-then-a-cycle",
            IN + "".join(f"v{i} = sales * {i}\n" for i in range(2000)) + "x = y\ny = x\noutput x\n", "C204",
            place="p.policy:2004"),
    ]


def _unreadable() -> list[Bad]:
    gbk = (IN + "# 奖金政策\nx = sales * 2\noutput x\n").encode("gbk")
    return [
        Bad("policy-in-gbk", gbk, "U502", place="p.policy:4"),
        Bad("policy-with-a-latin-1-byte", IN.encode() + b"# caf\xe9\noutput sales\n", "U502", place="p.policy:4"),
        Bad("policy-in-utf-16", (IN + "output sales\n").encode("utf-16"), "U502", place="p.policy:1"),
    ]


# Which commands read a family's mistakes by a path of their own.
_SYNTAX_COMMANDS = ("check", "check-json", "run", "explain", "fmt", "diff", "test", "template")
_CHECK_COMMANDS = ("check", "run", "explain", "template")
_PATH_COMMANDS = ("diff", "test")  # the check errors these also go through: a sample of kinds
_PATH_SAMPLE = {"unknown-name", "cycle-of-two", "money-plus-percent", "band-with-a-gap", "tier-never-reached",
                "weights-add-up-to-90", "version-twice", "variant-for-a-value-never-taken", "value-named-true",
                "uses-a-missing-file", "uses-a-policy-with-a-mistake"}


def _args(command: str, fmt: str) -> tuple[str, ...]:
    return {
        "check": ("check", "p.policy"),
        "check-json": ("check", "--format", "json", "p.policy"),
        "run": ("run", "p.policy", "--data", "d.csv", "--out", f"out.{fmt}"),
        "explain": ("explain", "p.policy", "--data", "d.csv", "--who", "A"),
        "fmt": ("fmt", "p.policy"),
        "diff": ("diff", "good.policy", "p.policy", "--data", "d.csv"),
        "test": ("test", "t.test.yaml"),
        "template": ("template", "p.policy", "--out", "t.xlsx"),
    }[command]


def _cases(bad: Bad, commands: tuple[str, ...], formats) -> list[Case]:
    files = {"p.policy": bad.text, "d.csv": DATA, "good.policy": GOOD, "t.test.yaml": TEST_FILE, **dict(bad.files)}
    out = []
    for command in commands:
        if command in bad.skip:
            continue
        bug = bad.bug if not bad.bug_in or command in bad.bug_in else None
        fmt = next(formats) if command == "run" else ""
        out.append(Case(f"policy-{bad.id}-{command}{'-' + fmt if fmt else ''}", _args(command, fmt), bad.code,
                        bad.where(), files, exit=1 if command == "test" else None, bug=bug))
    return out


def policy_cases() -> list[Case]:
    formats = itertools.cycle(("csv", "json", "xlsx"))  # run writes each format in turn
    cases = []
    for bad in _syntax() + _unreadable():
        cases += _cases(bad, _SYNTAX_COMMANDS, formats)
    for bad in _check():
        cases += _cases(bad, _CHECK_COMMANDS + (_PATH_COMMANDS if bad.id in _PATH_SAMPLE else ()), formats)
    for bad in _large():
        # fmt reads syntax only: a check error in a large formula is no error to it.
        commands = _SYNTAX_COMMANDS if bad.code.startswith(("P", "U")) else _CHECK_COMMANDS + _PATH_COMMANDS
        cases += _cases(bad, commands, formats)
    return cases
