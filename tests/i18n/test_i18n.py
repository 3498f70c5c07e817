"""Choosing the language, and catalogues that cannot lack a language."""

import pytest

from attain.i18n import Catalogue, language


def test_an_explicit_option_wins_over_the_locale():
    assert language("zh", {"LANG": "en_US.UTF-8"}) == "zh"
    assert language("en", {"LANG": "zh_CN.UTF-8"}) == "en"
    assert language("zh_CN.UTF-8", {}) == "zh"


def test_the_locale_decides_without_an_option():
    assert language(None, {"LANG": "zh_CN.UTF-8"}) == "zh"
    assert language(None, {"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"  # LC_ALL comes first
    assert language(None, {"LC_ALL": "C.UTF-8", "LANG": "zh_TW.UTF-8"}) == "zh"  # C says nothing
    assert language(None, {"LANG": "fr_FR.UTF-8"}) == "en"  # a language attain does not have: English
    assert language(None, {}) == "en"


def test_an_unknown_option_is_refused():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        language("fr", {})


def test_a_catalogue_gives_each_language_and_fills_fields():
    words = Catalogue({"short": {"en": "{amount} short of {tier}", "zh": "还差 {amount} 达到{tier}"}})
    assert words("short", "zh", amount="¥25,000", tier="卓越奖") == "还差 ¥25,000 达到卓越奖"
    assert words("short", "en", amount="¥25,000", tier="Excellence") == "¥25,000 short of Excellence"


def test_a_catalogue_refuses_a_missing_language_or_mismatched_fields():
    with pytest.raises(ValueError, match="no text in zh"):
        Catalogue({"payout": {"en": "Payout"}})
    with pytest.raises(ValueError, match="different fields"):
        Catalogue({"short": {"en": "{amount} short", "zh": "还差"}})
