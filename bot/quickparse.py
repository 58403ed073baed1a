"""Read a one-line work report ("入户走访15户，发放宣传单30份…") into measure figures.

Each number is given to a measure by the unit right after it (户, 张, 次…) and by the
keyword nearest to it in its clause (海报, 微信群…). Both come from the tables below,
so a new way of writing usually needs a table entry, not new code.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import cn2an

from bot.kinds import MAX_FIGURE, MEASURES

# 群众/居民… 人 is the reach of a visit or the audience of a lecture; we only know
# which once the whole report has been read (see _finish).
PERSONS = "persons"
# Workers who did the publicity (网格员3人) are not people reached; counted, then dropped.
STAFF = "staff"
# Registrations are mostly the same people who installed; kept apart, then max'ed.
REGISTERS = "app_registers"

# (measure, role, keywords). "what" is the thing counted (海报, 微信群): "A、B各N次"
# gives N to each. "how" words (verbs, activities) only help attribution.
# Matching is longest-first, so 宣传单 beats 宣传 and 群众 beats 群.
_KEYWORD_ROWS = (
    ("households", "what", "商户 商家 住户 农户 家庭 居民户 门店 商铺 店铺 企业"),
    ("households", "how", "入户 走访 上门 家访 户数"),
    ("people", "how", "宣传 覆盖 教育 宣教 提醒 惠及 劝导 触达 受众"),
    (PERSONS, "what", "群众 居民 村民 市民 民众 老人 老年人 人员 人群 妇女 青少年"),
    (STAFF, "what", "网格员 宣传员 工作人员 民警 辅警 干部 志愿者 社工 队员 联络员"),
    ("pledges", "what", "承诺书 承诺"),
    ("pledges", "how", "签订 签署 签字 签名"),
    ("app_installs", "what", "app 反诈app 反诈中心app 国家反诈中心app 国家反诈中心 反诈中心 反诈软件"),
    ("app_installs", "how", "安装 下载 注册 装"),
    ("posters", "what", "海报 宣传画 挂图"),
    ("posters", "how", "张贴 粘贴 贴"),
    ("banners", "what", "横幅 条幅"),
    ("banners", "how", "悬挂 挂"),
    ("slogans", "what", "标语 宣传标语 口号"),
    ("boards", "what", "展板 展架 宣传栏 易拉宝 板报 黑板报 宣传牌"),
    ("leaflets", "what", "宣传单 传单 宣传资料 资料 一封信 致家长的一封信 折页 手册 宣传册 宣传页 单页 明白纸"),
    ("leaflets", "how", "发放 分发 派发"),
    ("lectures", "what", "宣讲会 宣讲 讲座 公开课 课 宣传活动 集中宣传 活动 培训 会议 家长会 班会"),
    ("lectures", "how", "开展 举办 组织 召开"),
    ("attendees", "what", "师生 学生 听众 观众 家长 教职工"),
    ("attendees", "how", "参加 参会 参与 出席 到场 听讲 听课"),
    ("group_pushes", "what", "群 微信群 网格群 业主群 家长群 工作群 朋友圈 短信 公众号 视频号 抖音"),
    ("group_pushes", "how", "推送 转发 发送 群发 发布 分享"),
    ("broadcasts", "what", "大喇叭 小喇叭 喇叭 广播 村村响 音箱"),
    ("broadcasts", "how", "播放 循环播放 播报"),
)
KEYWORDS: dict[str, tuple[str, str]] = {
    word: (measure, role) for measure, role, words in _KEYWORD_ROWS for word in words.split()
}
_LONGEST_KEYWORD = max(map(len, KEYWORDS))

ANY = frozenset(MEASURES) | {PERSONS, STAFF}
# (default measure, measures the unit can count, units).
_UNIT_ROWS = (
    ("households", "households", "户 家"),
    (PERSONS, f"{PERSONS} {STAFF} people attendees app_installs", "人次 个人 人 名 位"),
    ("leaflets", "leaflets pledges", "份 本 册"),
    ("posters", "posters leaflets pledges", "张"),
    (None, "banners slogans group_pushes", "条"),
    ("banners", "banners posters slogans", "幅"),
    ("boards", "boards banners", "块 面"),
    ("lectures", "lectures", "场次 场 期 堂 节"),
    (None, "group_pushes broadcasts lectures", "次 遍 轮"),
)
UNITS: dict[str, tuple[str | None, frozenset[str]]] = {
    unit: (default, frozenset(compat.split()))
    for default, compat, units in _UNIT_ROWS
    for unit in units.split()
}
_UNITS_LONGEST_FIRST = sorted(UNITS, key=len, reverse=True)  # 人次 before 人, 场次 before 场
# 个 counts anything, so a number with 个 is treated like a bare number.
GENERIC_UNIT = "个"

# Right after a number: a date, clock time, rate, numbered place or other non-figure.
NOT_FIGURE_AFTER = tuple(
    "月 日 号 点 时 分 秒 % ‰ 组 栋 幢 楼 单元 网格 队 班 年 岁 周 天 元 块钱 米 倍 成 届 级 个月".split()
)
# Right before a number: an ordinal, a percentage, a weekday, a 逐一/统一 word.
NOT_FIGURE_BEFORE = tuple("第 百分之 周 星期 礼拜 初 逐 统 no. #".split())
_RATE_WORDS = re.compile(r"率|比例|占比")  # "安装率达35" is a rate even without %
_PER_WORD = "每"  # "每户发放1份" is a per-unit rate, not a total
_SUBSET_WORDS = re.compile(r"其中|包括|含")  # "入户20户，其中老人5户" restates part of a figure
_INSTALL_WORDS = re.compile(r"安装|下载|装")

# Spans that look numeric but never are figures: times, dates, hotlines, set phrases.
_NOISE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d{2,4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}/\d{1,2}"
    r"|(?:拨打|报警|热线|电话|致电)\D{0,3}\d+|96110|12381"
    r"|一[户人家校村企店]一[档策册卡]|一对一|面对面|一次性"
)
_NUMBER = re.compile(
    r"(?P<ar>\d+(?:\.\d+)?)(?P<mul>[万千])?"
    r"|(?P<cn>[〇零一二两三四五六七八九十][〇零一二两三四五六七八九十百千万]*|[百千](?=[余多]))"
)
_APPROX = re.compile(r"\s*(?:余|多|几|来|\+)?\s*")  # 二十余人 / 20多户 / 100+人 keep the stated number
_HARD_BREAK = re.compile(r"[,;。!?…\n\r()\[\]【】<>《》\"“”/|]|(?<!\d)\.|\.(?!\d)")
_SOFT_BREAK = re.compile(r"[\s、]+")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    measure: str
    role: str


@dataclass(frozen=True)
class Num:
    start: int
    end: int  # after the unit
    value: int
    unit: str | None  # None: bare number or 个
    chinese: bool


def parse_quick_report(text: str) -> dict[str, int]:
    """Canonical measure → figure for a one-line report; measures of zero are left out."""
    totals: dict[str, int] = {}
    for clause in _clauses(_normalise(text)):
        _add_clause(clause, totals)
    return _finish(totals)


# What may be left in a clause that gave no figure without anything having been missed.
# Anchored at the start of a run of digits: unanchored, a long run backtracks for minutes.
_NOT_A_COUNT = re.compile(r"(?<!\d)\d+点(?:\d+分)?|(?<!\d)\d+\s*(?:[月日号时%‰]|[组栋幢楼队]|单元|网格)|第\s*\d+|_+")
_COUNT_LEFT = re.compile(r"\d|[一二两三四五六七八九十百]+\s*[户人张条块份场次家]")


def unread_parts(text: str) -> list[str]:
    """Clauses that hold a number yet gave no figure ("发传单30分": a typo for 份), so the
    card can say what was not understood instead of dropping it silently."""
    out = []
    for clause in _clauses(_normalise(text)):
        found: dict[str, int] = {}
        _add_clause(clause, found)
        if not _finish(found) and _COUNT_LEFT.search(_NOT_A_COUNT.sub("", clause)):
            out.append(clause.strip())
    return out


def _normalise(text: str) -> str:
    # NFKC turns full-width digits/letters/punctuation into ASCII; lower() makes APP == app.
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _NOISE.sub(lambda m: "_" * len(m.group()), text)


MAX_CLAUSE = 60


def _clauses(text: str) -> list[str]:
    """Split on punctuation; split on spaces and 、 only after a figure, so that
    "反诈APP安装 7" and "微信群、朋友圈各推送2次" stay whole but "海报3 横幅1" does not."""
    out: list[str] = []
    for part in _HARD_BREAK.split(text):
        current = ""
        for piece in _SOFT_BREAK.split(part):
            current = f"{current} {piece}" if current else piece
            # A clause this long without a figure is no clause: closing it keeps a long
            # message of words linear (re-reading the growing clause was quadratic).
            if len(current) > MAX_CLAUSE or _numbers(current, _hits(current)):
                out.append(current)
                current = ""
        if current:
            out.append(current)
    return out


def _hits(clause: str) -> list[Hit]:
    """Keywords in the clause, longest match first, left to right."""
    hits, i = [], 0
    while i < len(clause):
        for size in range(min(_LONGEST_KEYWORD, len(clause) - i), 0, -1):
            word = clause[i:i + size]
            if word in KEYWORDS:
                hits.append(Hit(i, i + size, *KEYWORDS[word]))
                i += size
                break
        else:
            i += 1
    return hits


def _numbers(clause: str, hits: list[Hit]) -> list[Num]:
    nums = []
    for m in _NUMBER.finditer(clause):
        if any(h.start < m.end() and m.start() < h.end for h in hits):
            continue  # a numeral inside a keyword (一封信)
        num = _read_number(clause, m, hits)
        if num is not None:
            nums.append(num)
    return nums


def _value(m: re.Match[str]) -> int | None:
    value = _raw_value(m)
    return value if value is None or value <= MAX_FIGURE else None


def _raw_value(m: re.Match[str]) -> int | None:
    if m["cn"]:
        run = m["cn"]
        if run in ("百", "千"):
            return 100 if run == "百" else 1000
        if len(run) > 1 and not re.search("[十百千万]", run):
            return None  # 一二组, 二〇二六: digit-by-digit labels, not counts
        try:
            return int(cn2an.cn2an(run, "normal"))
        except Exception:  # cn2an raises ValueError, KeyError… on malformed runs (〇十三)
            return None
    digits, mul = m["ar"], m["mul"]
    if mul:
        if len(digits) > 6:
            return None
        try:
            return int(cn2an.cn2an(digits + mul, "smart"))
        except Exception:  # cn2an on odd input: not a count we can read
            return None
    if "." in digits or len(digits) > 6:
        return None  # decimals and phone/ID numbers are not counts
    return int(digits)


def _read_number(clause: str, m: re.Match[str], hits: list[Hit]) -> Num | None:
    value = _value(m)
    if value is None or clause[:m.start()].rstrip().endswith(NOT_FIGURE_BEFORE):
        return None
    pos = _APPROX.match(clause, m.end()).end()
    rest = clause[pos:]
    if rest.startswith(NOT_FIGURE_AFTER):
        return None
    unit = next((u for u in _UNITS_LONGEST_FIRST if rest.startswith(u)), None)
    if unit:
        return Num(m.start(), pos + len(unit), value, unit, bool(m["cn"]))
    if rest.startswith(GENERIC_UNIT):
        pos += len(GENERIC_UNIT)
    num = Num(m.start(), pos, value, None, bool(m["cn"]))
    return num if _bare_ok(clause, num, hits) else None


def _bare_ok(clause: str, num: Num, hits: list[Hit]) -> bool:
    """A number without a unit counts only at the end of the clause or before a keyword
    ("海报3横幅1"); before anything else it counts something we do not track ("3个小区").
    A Chinese one must also touch a keyword, since 一 and 两 hide in ordinary words."""
    after = len(clause) - len(clause[num.end:].lstrip())
    if any(h.start == after for h in hits):
        return True
    if after < len(clause):
        return False
    before = len(clause[:num.start].rstrip(" :="))
    return not num.chinese or any(h.end == before for h in hits)


def _add_clause(clause: str, totals: dict[str, int]) -> None:
    hits = _hits(clause)
    nums = _numbers(clause, hits)
    for i, num in enumerate(nums):
        lo = nums[i - 1].end if i else 0
        hi = nums[i + 1].start if i + 1 < len(nums) else len(clause)
        left = [h for h in hits if lo <= h.start and h.end <= num.start]
        right = [h for h in hits if num.end <= h.start and h.end <= hi]
        window = clause[lo:num.start]
        if _PER_WORD in window or (num.unit is None and _RATE_WORDS.search(window)):
            continue
        for measure in _measures(window, num, left, right):
            if _is_subset(clause[:num.start], measure, totals):
                continue
            if measure == "app_installs" and "注册" in window and not _INSTALL_WORDS.search(window):
                measure = REGISTERS
            totals[measure] = totals.get(measure, 0) + num.value


def _measures(window: str, num: Num, left: list[Hit], right: list[Hit]) -> list[str]:
    if "各" in window:
        items = [h.measure for h in left if h.role == "what" and h.measure not in (PERSONS, STAFF)]
        if len(items) > 1:
            return items  # 微信群、朋友圈各推送2次: 2 for each channel
    measure = _choose(num, left, right)
    return [measure] if measure else []


def _choose(num: Num, left: list[Hit], right: list[Hit]) -> str | None:
    """Unit + noun ("30份承诺书") first, then the nearest fitting keyword before the
    number, then after it, then a vague 群众-type word, then the unit's own default."""
    default, compat = UNITS[num.unit] if num.unit else (None, ANY)
    fits = [h for h in left + right if h.measure in compat]
    noun = [h for h in fits if num.unit and h.start == num.end and h.role == "what"]

    def rank(h: Hit) -> tuple[bool, bool, int]:
        after = h.start >= num.end
        return (h.measure == PERSONS, after, h.start - num.end if after else num.start - h.end)

    best = noun[0] if noun else min(fits, key=rank, default=None)
    return best.measure if best else default


def _is_subset(before: str, measure: str, totals: dict[str, int]) -> bool:
    return bool(_SUBSET_WORDS.search(before)) and totals.get(measure, 0) > 0


def _finish(totals: dict[str, int]) -> dict[str, int]:
    totals = dict(totals)
    persons = totals.pop(PERSONS, 0)
    audience = "attendees" if totals.get("lectures") else "people"
    totals[audience] = totals.get(audience, 0) + persons
    totals["app_installs"] = max(totals.get("app_installs", 0), totals.pop(REGISTERS, 0))
    return {m: totals[m] for m in MEASURES if totals.get(m, 0) > 0}
