"""The starter files `attain init` writes, in Chinese and English: a policy, its sample data and its test.

The numbers of the test are worked by hand in its comments; `tests/cli/test_init.py`
runs `check`, `run` and `test` on the files as written.
"""

from __future__ import annotations

from attain.i18n import Catalogue

POLICY_FILE = "starter.policy"
DATA_FILE = "sample.csv"
TEST_FILE = "starter.test.yaml"

STARTER = Catalogue({
    POLICY_FILE: {
        "zh": """\
# 销售季度考核与奖金：attain init 生成的示例制度，可按贵公司的制度修改。
# 检查：attain check starter.policy
# 计算：attain run starter.policy --data sample.csv --out 结果.xlsx
#       （数据也可以是 Excel、JSON 或 Parquet 文件：--data 数据.xlsx、--data 数据.parquet）
# 测试：attain test

policy "销售季度考核与奖金（示例）"
version "1"
effective 2024-01-01
period quarter
currency "¥"

input 销售目标 : money
input 销售额   : money
input 回款率   : percent in 0% .. 100%
input 奖金基数 : money

达成率 = 销售额 / 销售目标

达成得分 = band 达成率
    >= 120%      -> 100
    100% to 120% -> 80
    80% to 100%  -> 60
    below 80%    -> 40

等级 = first match
    卓越 "卓越奖" : 达成率 >= 120% -> 系数 1.5
    达标 "达标奖" : 达成率 >= 100% -> 系数 1.2
    无 "无奖励" : otherwise -> 系数 0

# 回款率低于90%的，奖金按80%发放
奖金 = 奖金基数 * 等级.系数 * 达成得分 / 100
实发奖金 = 奖金 * 80% if 回款率 < 90% else 奖金

output 达成率, 达成得分, 等级
flag 改进计划 "需提交改进计划" when 达成率 < 80%
payout 应发奖金 = round(实发奖金, 0.01)
""",
        "en": """\
# Quarterly sales scorecard and bonus: the starter policy of attain init; change it to fit your plan.
# Check it:  attain check starter.policy
# Run it:    attain run starter.policy --data sample.csv --out results.xlsx
#            (the data may be an Excel, JSON or Parquet file too: --data data.xlsx, --data data.parquet)
# Test it:   attain test

policy "Quarterly sales scorecard and bonus (starter)"
version "1"
effective 2024-01-01
period quarter
currency "$"

input target          : money   "Sales target"
input sales           : money   "Sales"
input collection_rate : percent "Collection rate" in 0% .. 100%
input base_bonus      : money   "Base bonus"

attainment = sales / target

attainment_score = band attainment
    >= 120%      -> 100
    100% to 120% -> 80
    80% to 100%  -> 60
    below 80%    -> 40

tier = first match
    excellent "Excellent" : attainment >= 120% -> coefficient 1.5
    on_target "On target" : attainment >= 100% -> coefficient 1.2
    none "No bonus" : otherwise -> coefficient 0

# A collection rate below 90% pays 80% of the bonus.
bonus = base_bonus * tier.coefficient * attainment_score / 100
bonus_paid = bonus * 80% if collection_rate < 90% else bonus

output attainment, attainment_score, tier
flag improvement_plan "Improvement plan" when attainment < 80%
payout bonus_total = round(bonus_paid, 0.01)
""",
    },
    DATA_FILE: {
        "zh": """\
编号,姓名,部门,期间,销售目标,销售额,回款率,奖金基数
S001,张三,华东一部,2024Q1,"500,000","620,000",95%,"10,000"
S002,李四,华东二部,2024Q1,"400,000","420,000",85%,"8,000"
S003,王五,华北一部,2024Q1,"300,000","210,000",92%,"8,000"
""",
        "en": """\
id,Name,Department,period,Sales target,Sales,Collection rate,Base bonus
S001,Ann Lee,East 1,2024Q1,"500,000","620,000",95%,"10,000"
S002,Bo Chen,East 2,2024Q1,"400,000","420,000",85%,"8,000"
S003,Cy Wang,North 1,2024Q1,"300,000","210,000",92%,"8,000"
""",
    },
    TEST_FILE: {
        "zh": """\
# starter.policy 的测试，手算如下。运行：attain test
policy: starter.policy
cases:
  - name: 示例数据
    data: sample.csv
    # S001：620,000 / 500,000 = 124% -> 得分 100，卓越（系数 1.5）；10,000 × 1.5 × 100 / 100 = 15,000；回款 95%，全额
    # S002：420,000 / 400,000 = 105% -> 得分 80，达标（系数 1.2）；8,000 × 1.2 × 80 / 100 = 7,680；
    #       回款 85% < 90%，按 80% 发放：7,680 × 80% = 6,144
    # S003：210,000 / 300,000 = 70% -> 得分 40，无奖励（系数 0）：0；低于 80%，需提交改进计划
    expect:
      S001:
        达成率: "1.24"
        等级: 卓越
        应发奖金: "15000.00"
        改进计划: false
      S002:
        达成率: "1.05"
        达成得分: "80"
        应发奖金: "6144.00"
      S003:
        达成率: "0.7"
        等级: 无
        应发奖金: "0.00"
        改进计划: true
""",
        "en": """\
# The tests of starter.policy, worked by hand. Run them with: attain test
policy: starter.policy
cases:
  - name: the sample data
    data: sample.csv
    # S001: 620,000 / 500,000 = 124% -> score 100, excellent (1.5): 10,000 × 1.5 × 100 / 100 = 15,000; collected 95%
    # S002: 420,000 / 400,000 = 105% -> score 80, on target (1.2): 8,000 × 1.2 × 80 / 100 = 7,680;
    #       collected 85% < 90% pays 80%: 7,680 × 80% = 6,144
    # S003: 210,000 / 300,000 = 70% -> score 40, no bonus (0): 0; below 80%, an improvement plan
    expect:
      S001:
        attainment: "1.24"
        tier: excellent
        bonus_total: "15000.00"
        improvement_plan: false
      S002:
        attainment: "1.05"
        attainment_score: "80"
        bonus_total: "6144.00"
      S003:
        attainment: "0.7"
        tier: none
        bonus_total: "0.00"
        improvement_plan: true
""",
    },
})
