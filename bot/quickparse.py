"""Read a one-line work report ("入户走访15户，发放宣传单30份…") into measure figures.

Each number is given to a measure by the unit right after it (户, 张, 次…) and by the
keyword nearest to it in its clause (海报, 微信群…). Both come from the tables below,
so a new way of writing usually needs a table entry, not new code.

The reader never inflates: a running total (累计…), a sum of figures already given (合计…)
and a breakdown (其中…) are read but never added, and every part that gave no figure is
handed back (read_report), so the card can show it instead of dropping it silently.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

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
    ("pledges", "what", "承诺书 承诺 反诈承诺书 承诺函"),
    ("pledges", "how", "签订 签署 签字 签名"),
    ("app_installs", "what", "app 反诈app 反诈中心app 国家反诈中心app 国家反诈中心 反诈中心 反诈软件"),
    ("app_installs", "how", "安装 下载 注册 装"),
    ("posters", "what", "海报 宣传画 挂图"),
    ("posters", "how", "张贴 粘贴 贴"),
    ("banners", "what", "横幅 条幅"),
    ("banners", "how", "悬挂 挂"),
    ("slogans", "what", "标语 宣传标语 口号"),
    ("boards", "what", "展板 展架 易拉宝 板报 黑板报"),
    ("sites", "what", "宣传栏 宣传牌 公益广告 公益广告牌 广告牌 宣传阵地 阵地 电子屏 电子显示屏 显示屏 led屏 "
                      "led显示屏 大屏 宣传橱窗 橱窗 文化墙 宣传墙"),
    ("leaflets", "what", "宣传单 传单 宣传资料 资料 一封信 致家长的一封信 折页 手册 宣传册 宣传页 单页 明白纸"),
    ("leaflets", "how", "发放 分发 派发"),
    ("receipts", "what", "回执 回执单"),
    ("receipts", "how", "收回 回收"),
    ("lectures", "what", "宣讲会 宣讲 讲座 公开课 课 宣传活动 集中宣传 活动 培训 会议 家长会 班会"),
    ("lectures", "how", "开展 举办 组织 召开"),
    ("attendees", "what", "师生 学生 听众 观众 家长 教职工"),
    ("attendees", "how", "参加 参会 参与 出席 到场 听讲 听课"),
    ("group_pushes", "what", "群 微信群 网格群 业主群 家长群 工作群 朋友圈 公众号 视频号 抖音"),
    ("group_pushes", "how", "推送 转发 发送 群发 发布 分享"),
    ("sms", "what", "短信 短消息 手机短信 反诈短信 提醒短信 预警短信 彩信"),
    ("broadcasts", "what", "大喇叭 小喇叭 喇叭 广播 村村响 音箱"),
    ("broadcasts", "how", "播放 循环播放 播报"),
    # Dissuasion and follow-up are not publicity: never people reached (see _choose).
    ("dissuasions", "how", "劝阻 电话劝阻 见面劝阻 上门劝阻 当面劝阻 预警劝阻 成功劝阻"),
    ("follow_ups", "how", "回访 电话回访 上门回访"),
)
KEYWORDS: dict[str, tuple[str, str]] = {
    word: (measure, role) for measure, role, words in _KEYWORD_ROWS for word in words.split()
}
_LONGEST_KEYWORD = max(map(len, KEYWORDS))

ANY = frozenset(MEASURES) | {PERSONS, STAFF}
# (default measure, measures the unit can count, units).
_UNIT_ROWS = (
    ("households", "households follow_ups dissuasions", "户 家"),
    (PERSONS, f"{PERSONS} {STAFF} people attendees app_installs dissuasions follow_ups", "人次 个人 人 名 位"),
    ("leaflets", "leaflets pledges receipts", "份 本 册"),
    ("posters", "posters leaflets pledges receipts", "张"),
    (None, "banners slogans group_pushes sms", "条"),
    ("banners", "banners posters slogans", "幅"),
    ("boards", "boards banners sites", "块 面"),
    (None, "sites", "处 个点位 点位"),
    ("lectures", "lectures", "场次 场 期 堂 节"),
    (None, "group_pushes broadcasts lectures sms dissuasions follow_ups", "次 遍 轮"),
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
_PER_WORD = re.compile(r"每(?![天日晚])")  # "每户发放1份" is a rate; "每天播放2次" is what was done
_SUBSET_WORDS = re.compile(r"其中|包括|含")  # "入户20户，其中老人5户" restates part of a figure
# A running total ("累计安装126人") restates earlier work: read, shown, never added.
_TOTAL_WORDS = re.compile(r"累计|累积|总计|至今|截[至止]目前|今年以来")
# A sum of figures already given ("上午10户，下午8户，合计18户") restates them: not added again.
# The same words before the first figure of a measure ("共入户30户") are the figure itself.
_SUM_WORDS = re.compile(r"合计|共计|一共|总共|小计|共(?=入户|走访|发放|张贴|悬挂|安装|开展|推送|播放|签订|\d)")
_INSTALL_WORDS = re.compile(r"安装|下载|装")

# Spans that look numeric but never are figures: times, dates, hotlines, set phrases.
# ("电话劝阻2人" and "电话回访1人" are figures, not a phone number.)
_NOISE = re.compile(
    r"\d{1,2}:\d{2}(?::\d{2})?"
    r"|\d{2,4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}/\d{1,2}"
    r"|(?:拨打|报警|热线|电话|致电)(?!劝阻|回访)\D{0,3}\d+|96110|12381"
    r"|一[户人家校村企店]一[档策册卡]|一对一|面对面|一次性"
)
# "电话联系5户": taken for a phone number above (5 households phoned are no visit), yet
# said back as not understood: nothing is dropped silently.
_PHONE_COUNT = re.compile(r"(?:拨打|热线|电话|致电)(?!劝阻|回访)\D{0,3}(?<!\d)\d{1,4}\s*[户人次家个名位]")
# List numbering: "1." "3)" anywhere after a break, "(2)" anywhere, "4、" "五、" at a line's
# start, "2. " after punctuation. The item's number, never a figure and never "not understood".
_LIST_NUMBER = re.compile(
    r"(?:^|(?<=[\s。;,]))(?:\d{1,2}\.(?![\d\s])|\d{1,2}\)(?!\d))|(?<!\d)\(\d{1,2}\)"
    r"|(?<=[。;,])\s*\d{1,2}\.(?=\s)"
    r"|(?:^|(?<=[\n。;]))(?:\d{1,2}|[一二三四五六七八九十]{1,3})[、.]", re.M)
# In a message that opens with "1. ", a later " 2. " is the next item (elsewhere "入户 3. " may be a count).
_OPENS_LIST = re.compile(r"\s*1\.\s")
_SPACED_ITEM = re.compile(r"(?<=\s)\d{1,2}\.(?=\s)")
# ① ⑴ ⒈ ❶…: item numbers too, taken out before NFKC turns them into plain digits.
_ENCLOSED_NUMBER = re.compile(r"[\u2460-\u24ff\u2776-\u2793]")
# Traditional characters of the words above (入户走訪12戶), to their simplified forms.
_TRADITIONAL = str.maketrans(
    "戶訪傳單發張貼條掛懸橫標語資講會場參與眾裝載註冊簽訂諾書廣響轉網員勸執陣電處欄個萬兩幾餘來數門號組"
    "樓棟區導蓋觸達學師聽課開辦織動機軟體詐騙計總積顯時點週禮約視頻聲輪節圖畫頁紙對話見後幫農鋪業歲務"
    "議長職園內擺報況擊衛專團隊幹願們關實際邊這較舉題線屆級層鄉鎮縣進過還櫥牆寫錄負僅覽極請說認識證財"
    "產醫藥樂藝術戲劇環樣價錢鐘購買賣兒減預護屬聯絡觀現當國寶訓佈塊歷紹齡裡氣經啟廳鄰",
    "户访传单发张贴条挂悬横标语资讲会场参与众装载注册签订诺书广响转网员劝执阵电处栏个万两几余来数门号组"
    "楼栋区导盖触达学师听课开办织动机软体诈骗计总积显时点周礼约视频声轮节图画页纸对话见后帮农铺业岁务"
    "议长职园内摆报况击卫专团队干愿们关实际边这较举题线届级层乡镇县进过还橱墙写录负仅览极请说认识证财"
    "产医药乐艺术戏剧环样价钱钟购买卖儿减预护属联络观现当国宝训布块历绍龄里气经启厅邻")
_NUMBER = re.compile(
    r"(?P<ar>\d+(?:\.\d+)?)(?P<mul>[万千])?"
    r"|(?P<cn>[〇零一二两三四五六七八九十][〇零一二两三四五六七八九十百千万]*|[百千](?=[余多]))"
)
# 五六个 / 十五六户 / 二三十人: a range; its lower number is taken, marked approximate.
_CN_RANGE = re.compile(r"(.*[十百千万])?([一二两三四五六七八九])([二三四五六七八九])([十百千万]?)")
_AR_RANGE = re.compile(r"\s*[-~到至]\s*(\d{1,6})(?!\d)")  # 5-6人, 5~6个
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"两": 2}
_APPROX = re.compile(r"\s*(?:余|多|几|来|\+)?\s*")  # 二十余人 / 20多户 / 100+人 keep the stated number
_HARD_BREAK = re.compile(r"[,;。!?…\n\r()\[\]【】<>\"“”/|]|(?<!\d)\.|\.(?!\d)")
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
    approx: bool = False  # the lower end of a range (五六个), or 十几
    loose: bool = False   # a bare number before a word we do not track ("3个小区"): no figure


@dataclass(frozen=True)
class Reading:
    """What a one-line report says, and every part of it that did not become a figure."""
    figures: dict[str, int]  # canonical measure -> figure; zeros left out
    unread: list[str]        # parts with a number that gave no figure ("发传单30分": a typo for 份)
    not_added: list[str]     # running totals (累计…) and breakdowns (其中…): read, never added
    approx: list[str]        # measures read from a range or 十几, at its lower number


def parse_quick_report(text: str) -> dict[str, int]:
    """Canonical measure → figure for a one-line report; measures of zero are left out."""
    return read_report(text).figures


def read_report(text: str) -> Reading:
    """Read a one-line report: its figures, the parts not understood, the parts read but not
    added (running totals, breakdowns) and the figures that are approximate."""
    totals: dict[str, int] = {}
    unread: list[str] = []
    not_added: list[str] = []
    approx: set[str] = set()
    breakdown: set[str] = set()  # measures of a 其中 breakdown that may go on in the next part
    for clause in _clauses(_normalise(text)):
        outcome = _add_clause(clause, totals, breakdown, approx)
        if outcome.held:
            not_added.append(clause.strip())
        if outcome.parts:
            breakdown = outcome.parts
        elif outcome.added:
            breakdown = set()
        if _left_unread(clause, outcome):
            unread.append(clause.strip())
    unread += [m.group() for m in _PHONE_COUNT.finditer(unicodedata.normalize("NFKC", text or ""))]
    figures = _finish(totals)
    audience = "attendees" if totals.get("lectures") else "people"
    approx = {audience if m == PERSONS else "app_installs" if m == REGISTERS else m for m in approx}
    return Reading(figures, unread, not_added, [m for m in figures if m in approx])


# What may be left in a clause that gave no figure without anything having been missed.
# Anchored at the start of a run of digits: unanchored, a long run backtracks for minutes.
_NOT_A_COUNT = re.compile(r"(?<!\d)\d+点(?:\d+分)?|(?<!\d)\d+\s*(?:[月日号时%‰]|[组栋幢楼队]|单元|网格)|第\s*\d+|_+")
_COUNT_LEFT = re.compile(r"\d|[一二两三四五六七八九十百]+\s*[户人张条块份场次家处]")


def _left_unread(clause: str, outcome: _Outcome) -> bool:
    """A part that gave nothing yet holds what looks like a count; or a part that gave figures
    and still holds a number that went nowhere ("走访3个小区入户40户")."""
    if outcome.added or outcome.held:
        return outcome.missed
    return bool(_COUNT_LEFT.search(_NOT_A_COUNT.sub("", clause)))


def _normalise(text: str) -> str:
    # NFKC turns full-width digits/letters/punctuation into ASCII; lower() makes APP == app.
    text = _ENCLOSED_NUMBER.sub("_", text or "")
    text = unicodedata.normalize("NFKC", text).lower().translate(_TRADITIONAL)
    text = text.replace("《", "").replace("》", "")  # 签订《反诈承诺书》20份: a title, not a break
    if _OPENS_LIST.match(text):
        text = _SPACED_ITEM.sub(lambda m: "_" * len(m.group()), text)
    text = _LIST_NUMBER.sub(lambda m: "_" * len(m.group()), text)
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


def _numbers(clause: str, hits: list[Hit], loose: bool = False) -> list[Num]:
    """The figures-to-be of a clause (with `loose`, also the bare numbers that count nothing
    we track)."""
    nums: list[Num] = []
    for m in _NUMBER.finditer(clause):
        if nums and m.start() < nums[-1].end:
            continue  # the second number of a range (5-6人)
        if any(h.start < m.end() and m.start() < h.end for h in hits):
            continue  # a numeral inside a keyword (一封信)
        num = _read_number(clause, m, hits)
        if num is not None and (loose or not num.loose):
            nums.append(num)
    return nums


def _value(m: re.Match[str]) -> tuple[int | None, bool]:
    value, approx = _raw_value(m)
    return (value if value is None or value <= MAX_FIGURE else None), approx


def _raw_value(m: re.Match[str]) -> tuple[int | None, bool]:
    """The number and whether it is the lower end of a range."""
    if m["cn"]:
        run = m["cn"]
        if run in ("百", "千"):
            return (100 if run == "百" else 1000), False
        if rng := _CN_RANGE.fullmatch(run):
            head, low, high, tail = rng.groups()
            if _CN_DIGIT[high] > _CN_DIGIT[low]:
                return _cn((head or "") + low + tail), True
        if len(run) > 1 and not re.search("[十百千万]", run):
            return None, False  # 一二组, 二〇二六: digit-by-digit labels, not counts
        return _cn(run), False
    digits, mul = m["ar"], m["mul"]
    if mul:
        if len(digits) > 6:
            return None, False
        try:
            return int(cn2an.cn2an(digits + mul, "smart")), False
        except Exception:  # cn2an on odd input: not a count we can read
            return None, False
    if "." in digits or len(digits) > 6:
        return None, False  # decimals and phone/ID numbers are not counts
    return int(digits), False


def _cn(run: str) -> int | None:
    try:
        return int(cn2an.cn2an(run, "normal"))
    except Exception:  # cn2an raises ValueError, KeyError… on malformed runs (〇十三)
        return None


def _read_number(clause: str, m: re.Match[str], hits: list[Hit]) -> Num | None:
    value, approx = _value(m)
    if value is None or clause[:m.start()].rstrip().endswith(NOT_FIGURE_BEFORE):
        return None
    pos = m.end()
    if m["ar"] and not m["mul"] and (rng := _AR_RANGE.match(clause, pos)) and int(rng.group(1)) > value:
        pos, approx = rng.end(), True
    about = _APPROX.match(clause, pos)
    pos, approx = about.end(), approx or "几" in about.group()
    rest = clause[pos:]
    if rest.startswith(NOT_FIGURE_AFTER):
        return None
    unit = next((u for u in _UNITS_LONGEST_FIRST if rest.startswith(u)), None)
    if unit:
        return Num(m.start(), pos + len(unit), value, unit, bool(m["cn"]), approx)
    if rest.startswith(GENERIC_UNIT):
        pos += len(GENERIC_UNIT)
    num = Num(m.start(), pos, value, None, bool(m["cn"]), approx)
    if _bare_ok(clause, num, hits):
        return num
    # A Chinese numeral hides in ordinary words (一起, 两委): only a digit is a missed count.
    return None if num.chinese else Num(num.start, num.end, value, None, False, approx, loose=True)


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


@dataclass
class _Outcome:
    added: bool = False    # a figure was added
    held: bool = False     # a figure was read and not added (running total, breakdown)
    missed: bool = False   # a number went nowhere
    parts: set[str] = field(default_factory=set)  # measures given as a breakdown


def _add_clause(clause: str, totals: dict[str, int], breakdown: set[str], approx: set[str]) -> _Outcome:
    """Add the clause's figures to `totals`; say what became of its numbers. A clause without
    verbs right after a breakdown of `breakdown` measures goes on with it ("其中3组8户 5组7户")."""
    hits = _hits(clause)
    nums = _numbers(clause, hits, loose=True)
    going_on = bool(breakdown) and not any(h.role == "how" for h in hits)
    out = _Outcome()
    for i, num in enumerate(nums):
        if num.loose:
            out.missed = True
            continue
        lo = nums[i - 1].end if i else 0
        hi = nums[i + 1].start if i + 1 < len(nums) else len(clause)
        left = [h for h in hits if lo <= h.start and h.end <= num.start]
        right = [h for h in hits if num.end <= h.start and h.end <= hi]
        window = clause[lo:num.start]
        if _PER_WORD.search(window) or (num.unit is None and _RATE_WORDS.search(window)):
            continue
        measures = _measures(window, num, left, right)
        out.missed |= not measures
        for measure in measures:
            if _TOTAL_WORDS.search(window) or (_SUM_WORDS.search(window) and totals.get(measure, 0) > 0):
                out.held = True
                continue
            if _is_subset(clause[:num.start], measure, totals) or (going_on and measure in breakdown):
                out.held = True
                out.parts.add(measure)
                continue
            if measure == "app_installs" and "注册" in window and not _INSTALL_WORDS.search(window):
                measure = REGISTERS
            totals[measure] = totals.get(measure, 0) + num.value
            out.added = True
            if num.approx:
                approx.add(measure)
    return out


def _measures(window: str, num: Num, left: list[Hit], right: list[Hit]) -> list[str]:
    if "各" in window:
        items = [h.measure for h in left if h.role == "what" and h.measure not in (PERSONS, STAFF)]
        if len(items) > 1:
            return items  # 微信群、朋友圈各推送2次: 2 for each channel
    measure = _choose(num, left, right)
    return [measure] if measure else []


# A keyword of the first measure in the clause takes the number from those of the others:
# dissuasion and follow-up are never people reached; a text message is not a group push.
_OUTRANKS = {"dissuasions": {"people", PERSONS, "attendees"}, "follow_ups": {"people", PERSONS, "attendees"},
             "sms": {"group_pushes"}}


def _choose(num: Num, left: list[Hit], right: list[Hit]) -> str | None:
    """Unit + noun ("30份承诺书") first, then the nearest fitting keyword before the
    number, then after it, then a vague 群众-type word, then the unit's own default."""
    default, compat = UNITS[num.unit] if num.unit else (None, ANY)
    fits = [h for h in left + right if h.measure in compat]
    beaten = {m for h in fits for m in _OUTRANKS.get(h.measure, ())}
    fits = [h for h in fits if h.measure not in beaten]
    noun = [h for h in fits if num.unit and h.start == num.end and h.role == "what"]

    def rank(h: Hit) -> tuple[bool, bool, int]:
        after = h.start >= num.end
        return (h.measure == PERSONS, after, h.start - num.end if after else num.start - h.end)

    best = noun[0] if noun else min(fits, key=rank, default=None)
    if best:
        return best.measure
    return None if default in beaten else default


def _is_subset(before: str, measure: str, totals: dict[str, int]) -> bool:
    return bool(_SUBSET_WORDS.search(before)) and totals.get(measure, 0) > 0


def _finish(totals: dict[str, int]) -> dict[str, int]:
    totals = dict(totals)
    persons = totals.pop(PERSONS, 0)
    audience = "attendees" if totals.get("lectures") else "people"
    totals[audience] = totals.get(audience, 0) + persons
    totals["app_installs"] = max(totals.get("app_installs", 0), totals.pop(REGISTERS, 0))
    return {m: totals[m] for m in MEASURES if totals.get(m, 0) > 0}
