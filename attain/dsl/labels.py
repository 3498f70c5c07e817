"""Labels a checked model gives its outputs: the words HR wrote beside the identifiers, for people's outputs.

An input's label (`input sales : money "销售额实际"`), a flag's label (`flag improvement_plan
"需提交改进计划" when ...`) and a value's (`bonus "奖金" = ...`) head their columns; a tier's label
(`on_target "达标奖" : ...`) stands for the tier's name in a cell. A value without a label keeps its identifier.
"""

from __future__ import annotations

from attain.dsl import nodes as n
from attain.dsl.model import Model


def header_labels(model: Model) -> dict[str, str]:
    """Output name -> its label, for each output the policy labels (inputs, flags and values)."""
    labels = {}
    for name in model.outputs:
        found = model.inputs.get(name)
        label = found.label if found is not None else None
        definition = model.definitions.get(name)
        if isinstance(definition, (n.FlagDecl, n.Definition)):
            label = definition.label or label
        if label:
            labels[name] = label
    return labels


def tier_labels(model: Model) -> dict[str, dict[str, str]]:
    """Tier-valued output -> {tier name: label}, for the tiers that have a label."""
    found: dict[str, str] = {}
    for definition in model.definitions.values():
        if not isinstance(definition, n.Definition):
            continue
        body = definition.body
        bodies = [d.body for _, d in body.branches] if isinstance(body, n.Choice) else [body]
        for block in bodies:
            if isinstance(block, n.Tiers):
                for row in block.rows:
                    if row.label:
                        found.setdefault(row.name, row.label)
    out = {}
    for name in model.outputs:
        t = model.types[name]
        if t.kind == "tier":
            labels = {tier: found[tier] for tier in t.tiers if tier in found}
            if labels:
                out[name] = labels
    return out
