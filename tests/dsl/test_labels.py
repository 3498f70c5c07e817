"""The labels a policy gives its outputs head people's columns: inputs, flags and values alike."""

from attain import api
from attain.dsl.labels import header_labels


def test_a_value_label_heads_its_column_like_an_input_or_flag_label():
    policy = api.loads(
        'policy "labels"\n'
        'input sales : money "销售额"\n'
        'bonus "奖金" = sales * 10%\n'
        'flag low "未达标" when sales < 100\n'
        'plain = sales * 2\n'
        'output sales\noutput bonus\noutput low\noutput plain\n')
    assert header_labels(policy.model) == {"sales": "销售额", "bonus": "奖金", "low": "未达标"}
