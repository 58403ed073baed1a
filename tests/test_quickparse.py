"""One-line report parsing: the shared fixture plus cases for each rule of the spec."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.kinds import KINDS, MEASURE_KIND, MEASURES, split_by_kind
from bot.quickparse import parse_quick_report, read_report

FIXTURE = Path(__file__).parent / "fixtures" / "quick_reports.jsonl"


def test_fixture_reports_match_at_least_95_percent() -> None:
    cases = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]
    misses = []
    for case in cases:
        got = parse_quick_report(case["text"])
        if got != case["expected"]:
            misses.append(f"{case['text']!r}: got {got}, expected {case['expected']}")
    for miss in misses:
        print("MISS", miss)
    score = (len(cases) - len(misses)) / len(cases)
    print(f"quick_reports: {len(cases) - len(misses)}/{len(cases)} exact")
    assert cases and score >= 0.95, "\n".join(misses)


CASES = [
    # zero is left out
    ("入户走访0户，张贴海报3张", {"posters": 3}),
    ("悬挂横幅零条，发放宣传单10份", {"leaflets": 10}),
    # 余 / 多 / + / 左右 / 几 keep the stated number
    ("发放宣传资料100多份", {"leaflets": 100}),
    ("宣传群众50+人", {"people": 50}),
    ("开展讲座1场，参加群众80人左右", {"lectures": 1, "attendees": 80}),
    ("师生百余人参加反诈讲座1场", {"lectures": 1, "attendees": 100}),
    ("入户十几户", {"households": 10}),
    # the same measure twice is summed
    ("张贴海报3张，又张贴海报2张", {"posters": 5}),
    ("上午发放宣传单20份；下午发放宣传单15份", {"leaflets": 35}),
    ("二组入户10户，三组入户12户", {"households": 22}),
    ("发放宣传折页100份，宣传手册50本", {"leaflets": 150}),
    # 各N over several channels counts each
    ("微信群、朋友圈、网格群各转发1次", {"group_pushes": 3}),
    ("大喇叭和微信群各推送3次", {"broadcasts": 3, "group_pushes": 3}),
    ("海报、标语各10张", {"posters": 10, "slogans": 10}),
    # installs and registrations of the same people count once
    ("下载注册反诈APP 12人", {"app_installs": 12}),
    ("指导群众下载安装注册反诈APP十人", {"app_installs": 10}),
    ("安装反诈APP 20人，注册20人", {"app_installs": 20}),
    ("安装反诈APP 20人，其中注册15人", {"app_installs": 20}),
    # dates, clock times, percentages and numbered places are not figures
    ("2026年11月入户走访20户", {"households": 20}),
    ("11月21日下午3点在5号楼宣传，入户12户", {"households": 12}),
    ("15:30在3栋开展宣讲1场", {"lectures": 1}),
    ("第2网格张贴海报4张", {"posters": 4}),
    ("二〇二六年十一月二十日入户8户", {"households": 8}),
    ("反诈APP安装率百分之三十", {}),
    ("覆盖率35%，安装率80%", {}),
    ("安装率达35", {}),
    ("宣传30分钟", {}),
    ("今天下午3点", {}),
    # full-width digits and letters
    ("入户走访２０户，安装ａｐｐ３人", {"households": 20, "app_installs": 3}),
    # Chinese numerals
    ("悬挂横幅两条，张贴海报二十五张", {"banners": 2, "posters": 25}),
    ("发放宣传单一百二十份", {"leaflets": 120}),
    ("覆盖群众一千余人", {"people": 1000}),
    # units omitted, number before the noun
    ("海报5 展板2 标语6", {"posters": 5, "boards": 2, "slogans": 6}),
    ("海报3横幅1", {"posters": 3, "banners": 1}),
    ("入户:9 海报:4 APP:3", {"households": 9, "posters": 4, "app_installs": 3}),
    ("8户入户走访，12人安装反诈APP", {"households": 8, "app_installs": 12}),
    ("发放30份承诺书", {"pledges": 30}),
    ("3次微信群推送", {"group_pushes": 3}),
    ("15户", {"households": 15}),
    # APP in any case
    ("App安装3人", {"app_installs": 3}),
    ("app 3", {"app_installs": 3}),
    # other channels and units
    ("宣讲会3场，学生200名参加", {"lectures": 3, "attendees": 200}),
    ("村大喇叭播放2遍", {"broadcasts": 2}),
    ("发送反诈短信200条", {"sms": 200}),
    ("进社区开展集中宣传活动一场，发放手册60本，折页40份", {"lectures": 1, "leaflets": 100}),
    ("入户12户、张贴海报5张、悬挂横幅1条", {"households": 12, "posters": 5, "banners": 1}),
    ("入户走访15户 宣传群众40人 安装APP10人", {"households": 15, "people": 40, "app_installs": 10}),
    # numbers that count something untracked, hotlines, set phrases, per-unit rates, subsets
    ("走访3个小区，入户40户", {"households": 40}),
    ("拨打96110反诈专线咨询，入户10户", {"households": 10}),
    ("反诈宣传进千家万户，一户一档，入户15户", {"households": 15}),
    ("每户发放1份宣传单，共入户30户", {"households": 30}),
    ("入户走访15户（其中独居老人3户）", {"households": 15}),
    ("组织网格员5人入户走访45户", {"households": 45}),
    # issue 11: running totals and breakdowns are never added
    ("安装反诈APP 6人，累计126人", {"app_installs": 6}),
    ("入户走访10户，截至目前共入户300户", {"households": 10}),
    ("至今累计发放宣传单2000份", {}),
    ("张贴海报5张，总计张贴海报60张", {"posters": 5}),
    ("入户30户，其中1组10户，2组12户，3组8户", {"households": 30}),
    ("入户30户 其中1组10户 2组20户 张贴海报3张", {"households": 30, "posters": 3}),
    ("入户10户，其中老人4户，下午又入户6户", {"households": 16}),
    # a sum of figures already given restates them; before any, it is the figure
    ("发放宣传单20份，又发放10份，共计30份", {"leaflets": 30}),
    ("上午入户10户，下午8户，共入户18户", {"households": 18}),
    ("入户走访12户，合计宣传群众40人", {"households": 12, "people": 40}),
    ("公共场所张贴海报5张，又在公共场所张贴海报3张", {"posters": 8}),
    # pledges, receipts, text messages, sites
    ("签订承诺书20份", {"pledges": 20}),
    ("签署《防范电信网络诈骗承诺书》12份", {"pledges": 12}),
    ("回收回执85份", {"receipts": 85}),
    ("发放一封信50份 回执48份", {"leaflets": 50, "receipts": 48}),
    ("短信群发300条", {"sms": 300}),
    ("微信群推送2次，发送短信100条", {"group_pushes": 2, "sms": 100}),
    ("宣传栏更新2处", {"sites": 2}),
    ("设置公益广告8处", {"sites": 8}),
    ("LED电子屏滚动播放3处", {"sites": 3}),
    ("宣传阵地1个", {"sites": 1}),
    # dissuasion and follow-up: never people reached
    ("见面劝阻群众3人", {"dissuasions": 3}),
    ("电话劝阻12人", {"dissuasions": 12}),
    ("电话回访3户", {"follow_ups": 3}),                    # 电话 + a number is no phone number here
    ("报警电话110，电话劝阻1人", {"dissuasions": 1}),
    ("上门回访受害群众2人", {"follow_ups": 2}),
    ("劝阻4人，回访2人", {"dissuasions": 4, "follow_ups": 2}),
    # traditional characters
    ("發放宣傳單30份", {"leaflets": 30}),
    ("勸阻2人，回訪1人", {"dissuasions": 2, "follow_ups": 1}),
    # 每天 is what was done; a range is its lower number
    ("村村响每天播报3次", {"broadcasts": 3}),
    ("入户七八户", {"households": 7}),
    ("宣传群众二三十人", {"people": 20}),
    ("安装APP 5-6人", {"app_installs": 5}),
    # list numbering is not a figure
    ("1、入户走访9户\n2、海报2张", {"households": 9, "posters": 2}),
    ("①入户6户②横幅1条", {"households": 6, "banners": 1}),
    ("1. 入户走访8户 2. 悬挂横幅2条", {"households": 8, "banners": 2}),
    ("入户12户，电话联系5户", {"households": 12}),
    ("一、入户5户\n二、展板1块", {"households": 5, "boards": 1}),
    # nothing to report
    ("", {}),
    ("今天天气很好，大家辛苦了", {}),
    ("5G手机用户", {}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "<empty>" for c in CASES])
def test_parse_quick_report(text: str, expected: dict[str, int]) -> None:
    assert parse_quick_report(text) == expected


def test_cases_are_new_and_keys_canonical() -> None:
    fixture_texts = {json.loads(line)["text"] for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line}
    assert not fixture_texts & {text for text, _ in CASES}
    assert all(set(expected) <= set(MEASURES) for _, expected in CASES)


# --- what the card is told besides the figures (issue 11) ------------------------------------

@pytest.mark.parametrize(("text", "not_added"), [
    ("新装反诈APP8人，累计安装126人", ["累计安装126人"]),
    ("入户15户 其中3组8户 5组7户", ["其中3组8户", "5组7户"]),
    ("累计入户300户", ["累计入户300户"]),
    ("上午入户10户，下午入户8户，合计18户", ["合计18户"]),
    ("入户15户，海报3张", []),
])
def test_totals_and_breakdowns_are_said_not_added(text: str, not_added: list[str]) -> None:
    reading = read_report(text)
    assert reading.not_added == not_added and reading.unread == []


@pytest.mark.parametrize(("text", "unread"), [
    ("走访3个小区入户40户", ["走访3个小区入户40户"]),          # a part that gave a figure, and a number that went nowhere
    ("入户15户，发传单30分", ["发传单30分"]),
    ("1.入户走访15户 2.张贴海报3张", []),                     # list numbering is neither a figure nor unread
    ("2026年11月入户走访20户", []),                          # a date is not a missed count
    ("1. 入户走访10户 2. 张贴海报3张", []),                    # "2. " after a space, in a list opened by "1. "
    ("（1）入户走访10户（2）张贴海报3张", []),
    ("入户走访10户，2. 张贴海报3张", []),
    ("入户12户，电话联系5户", ["电话联系5户"]),                # phoned, not visited: not added, but said
    ("电话号码13800138000，入户3户", []),                     # a phone number is no count
])
def test_every_number_that_went_nowhere_is_unread(text: str, unread: list[str]) -> None:
    assert read_report(text).unread == unread


@pytest.mark.parametrize(("text", "approx"), [
    ("劝阻五六个人", {"dissuasions": 5}),
    ("入户十五六户", {"households": 15}),
    ("宣传群众十几人", {"people": 10}),
    ("开展讲座1场，参加群众四五十人", {"attendees": 40}),
    ("入户15户", {}),
    ("二十余人参加宣讲1场", {}),                               # 余: the stated number, as before
])
def test_ranges_take_the_lower_number_marked_approximate(text: str, approx: dict[str, int]) -> None:
    reading = read_report(text)
    assert {m: reading.figures[m] for m in reading.approx} == approx


def test_new_kinds_and_measures_are_consistent() -> None:
    """Every measure belongs to exactly the kind MEASURE_KIND names, and has its labels."""
    from bot.i18n import keys
    assert set(MEASURES) == {m for k in KINDS.values() for m in k.measures} == set(MEASURE_KIND)
    for measure, kind in MEASURE_KIND.items():
        assert measure in KINDS[kind].measures
    assert list(KINDS)[:7] == ["visit", "poster", "app", "leaflet", "lecture", "push", "broadcast"]  # typed menu numbers
    for lang in ("zh", "en"):
        assert {f"kind-{k}" for k in KINDS} | {f"summary-kind-{k}" for k in KINDS} <= keys(lang)
        assert {f"{p}-{m}" for m in MEASURES for p in ("m", "u", "summary-m")} <= keys(lang)
    assert split_by_kind({"sms": 5, "dissuasions": 2, "people": 30, "sites": 1, "receipts": 4}) == {
        "visit": {"people": 30}, "sms": {"sms": 5}, "site": {"sites": 1}, "receipt": {"receipts": 4},
        "dissuade": {"dissuasions": 2}}
