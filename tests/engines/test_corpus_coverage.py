"""Engines, coverage: the corpus every engine runs (the library's policies and generated ones) uses every construct.

The constructs are read from the language's own declarations (node classes, built-in and group
functions, rounding modes, combine rules, input types, operators), so a construct added there
without a policy or generator case that uses it fails here. The generated policies are a
fixed, derandomized set drawn from the strategies `test_generated` runs by every engine.
"""

import hypothesis.strategies as st
from hypothesis import HealthCheck, Phase, given, settings
from library_samples import FIXED
from line_generator import line_cases
from policy_generator import Generated, policies, rollups

from attain.dsl import nodes as n
from attain.dsl.builtins import COMBINE, FUNCTIONS, GROUP_FUNCTIONS, INPUT_TYPES, PLAN_WORDS, ROUND_MODES
from attain.dsl.check_lines import Lines
from attain.dsl.checker import check
from attain.dsl.line_nodes import LINE_FUNCTIONS
from attain.dsl.model import Model
from attain.dsl.parser import parse, parse_file

# The row forms of a band (`BandRow.op`), as the grammar writes them.
BAND_ROWS = (">=", ">", "<=", "<", "=", "below", "above", "to", "otherwise")
# The rows that say which side of each bound they hold (in bands, tables and curves), and rate tables.
EXPLICIT_ROWS = ("from", "through", "from-through", "above-through", "from-below", "above-below")
TABLES = ("table of ranges", "table of texts", "grid", "named curve", "curve block", "bracket below",
          "bracket up to and including")


def expected() -> set[str]:
    names = {f"node {cls.__name__}" for cls in (*n.EXPRESSIONS, *n.BLOCKS)}
    names |= {f"function {name}" for name in FUNCTIONS}
    names |= {f"group function {name}" for name in GROUP_FUNCTIONS}
    names |= {f"round {mode}" for mode in (*ROUND_MODES, "by default")}
    names |= {f"operator {op}" for op in (*n.COMPARISONS, *n.ARITHMETIC, *n.LOGIC, "not", "negate")}
    names |= {f"band row {op}" for op in BAND_ROWS}
    names |= {f"range {op}" for op in EXPLICIT_ROWS} | set(TABLES)
    names |= {f"{kind} brackets{relative}" for kind in ("marginal", "retroactive") for relative in ("", " relative")}
    names |= {f"input {kind}" for kind in INPUT_TYPES} | {f"combine {rule}" for rule in COMBINE}
    names |= {"within a group", "within everyone", "except self", "previous 1 back", "previous 2 or more back",
              "lookup with else", "lookup without else", "unless", "flag", "refuse", "payout", "variants", "uses",
              "period"}
    names |= {"plan year starts"} | {f"period word {word}" for word in PLAN_WORDS}
    names |= {f"line {func}" for func in LINE_FUNCTIONS} | {"line where", "line else", "split", "overlay"}
    names |= {"within direct reports", "within all reports", "within reports of",
              "over reports of a value over reports"}
    return names


def constructs(model: Model) -> set[str]:
    """What a checked policy uses, named as `expected` names it."""
    policy = model.policy
    found = {f"input {i.type}" for i in policy.inputs} | {f"combine {i.combine}" for i in policy.inputs if i.combine}
    found |= {"uses"} if policy.header.uses else set()
    found |= {"period"} if policy.header.period else set()
    found |= {"plan year starts"} if policy.header.plan_year else set()
    found |= {"flag"} if policy.flags else set()
    for table in model.tables.values():
        keys = [r.key for r in table.rows] + list(table.columns)
        found |= {f"range {k.op}" for k in keys}
        found |= {"grid"} if table.columns else set()
        found |= {"named curve"} if table.curve else set()
        found |= {"table of texts"} if any(k.op == "text" for k in keys) else set()
        found |= {"table of ranges"} if not table.columns and not table.curve else set()
    found |= line_constructs(model.lines)
    for d in model.definitions.values():
        roots: list[object]
        if isinstance(d, n.FlagDecl):
            roots = [d.condition]
        elif isinstance(d, n.Refusal):
            roots = [d.condition]
            found.add("refuse")
        else:
            roots = [d.body, *([d.gate] if d.gate is not None else [])]
            found |= {"unless"} if d.gate is not None else set()
            found |= {"payout"} if d.payout else set()
        for root in roots:
            for node in n.walk(root):
                found |= details(node)
                if over_reports(model, node) and isinstance(node.value, n.Name) and \
                        over_reports(model, model.definitions.get(node.value.id)):
                    found.add("over reports of a value over reports")  # the levels cascade: stages
    return found


def line_constructs(lines: object) -> set[str]:
    """The aggregates over line tables and the crediting rules a policy has (attain/dsl/check_lines.py)."""
    if not isinstance(lines, Lines):
        return set()
    found = {f"line {m.func}" for m in lines.measures}
    found |= {"line where"} if any(m.where for m in lines.measures) else set()
    found |= {"line else"} if any(m.fallback for m in lines.measures) else set()
    found |= {"split"} if any(s.table.split for s in lines.tables.values()) else set()
    found |= {"overlay"} if any(s.overlay for s in lines.tables.values()) else set()
    return found


def over_reports(model: Model, what: object) -> bool:
    """Whether a node is a value over reports, or a definition's formulas hold one."""
    if isinstance(what, n.Aggregate):
        return what.reports is not None
    if not isinstance(what, (n.Definition, n.FlagDecl, n.Refusal)):
        return False
    return any(isinstance(x, n.Aggregate) and x.reports for root in n.formulas(what) for x in n.walk(root))


def details(node: object) -> set[str]:
    found = {f"node {type(node).__name__}"}
    match node:
        case n.Call(func=func):
            found.add(f"function {func}")
        case n.PeriodValue(name=name) if name in PLAN_WORDS:
            found.add(f"period word {name}")
        case n.Round(mode=mode):
            found |= {"function round", f"round {mode or 'by default'}"}
        case n.Aggregate(func=func, reports=str(reach)):
            found |= {f"group function {func}", f"within {reach} reports"}
            found |= {"within reports of"} if node.group is not None else set()
        case n.Aggregate(func=func, group=group, except_self=mine):
            found.add(f"group function {func}")
            found.add("within everyone" if group is None else "within a group")
            found |= {"except self"} if mine else set()
        case n.Binary(op=op):
            found.add(f"operator {op}")
        case n.Unary(op=op):
            found.add("operator not" if op == "not" else "operator negate")
        case n.Previous(back=back):
            found.add("previous 1 back" if back == 1 else "previous 2 or more back")
        case n.Band(rows=rows):
            found |= {f"band row {row.op}" if row.op in BAND_ROWS else f"range {row.op}" for row in rows}
        case n.Lookup(rows=rows):
            found.add("lookup with else" if any(row.key is None for row in rows) else "lookup without else")
        case n.Brackets(kind=kind, base=base, rows=rows):
            found.add(f"{kind} brackets{'' if base is None else ' relative'}")
            found |= {f"bracket {row.words}" for row in rows if row.words != "up to"}
        case n.Curve(rows=rows):
            found |= {"curve block"} | {f"range {r.key.op}" for r in rows}
        case n.Choice():
            found.add("variants")
    return found


def checked(text: str) -> Model:
    model, found = check(parse(text))
    assert not any(d.is_error for d in found), found
    return model


def examples(strategy: st.SearchStrategy[Generated], count: int) -> list[Generated]:
    """A fixed set of examples of a strategy: derandomized, so the same on every run."""
    found: list[Generated] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(strategy)
    def collect(example: Generated) -> None:
        found.append(example)

    collect()
    return found


def test_the_corpus_uses_every_construct():
    library: set[str] = set()
    for path in FIXED:
        library |= constructs(check(parse_file(path))[0])
    generated: set[str] = set()
    for example in [*examples(policies(), 100), *examples(rollups(), 20)]:
        try:
            model = checked(example.text)
        except AssertionError:
            continue  # the rare policy the checker refuses is not run either
        generated |= constructs(model)
        if example.monthly is not None:
            generated |= constructs(checked(example.monthly))
    for case in examples(line_cases(), 30):
        generated |= constructs(checked(case.text))
    assert expected() - (library | generated) == set()
    # every construct is also in what the generator writes, where data of every shape meets it
    assert expected() - generated == set()


def test_the_share_spark_runs_uses_every_construct():
    """Spark runs every library policy and test case, and the generated examples `engines_for` gives it: those
    too use every construct (drawn as here, the same examples of the same strategies)."""
    from test_generated import engines_for

    found: set[str] = set()
    for path in FIXED:
        found |= constructs(check(parse_file(path))[0])
    for example in [*examples(policies(), 150), *examples(rollups(), 50)]:
        if "spark" not in engines_for(example.text, ("spark",)):
            continue
        try:
            found |= constructs(checked(example.text))
        except AssertionError:
            continue
        if example.monthly is not None:
            found |= constructs(checked(example.monthly))
    assert expected() - found == set()
