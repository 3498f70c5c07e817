"""The doc002 policy and its sample data, and the edits that the diff tests make to it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOC002 = ROOT / "policies" / "doc002" / "incentive.policy"
SAMPLE = ROOT / "policies" / "doc002" / "sample.csv"
DOC002_TEXT = DOC002.read_text(encoding="utf-8")

BAND_ROW = "    100% to 120% -> 80\n"
BAND_ROW_85 = "    100% to 120% -> 85\n"
PENALTY = "bonus_paid = bonus * 80% if collection_rate < 90% else bonus\n"
PENALTY_70 = "bonus_paid = bonus * 70% if collection_rate < 90% else bonus\n"


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)
