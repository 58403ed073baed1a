## 通用
stranger = 您好！您还没有登记。请向平安办（综治办）要一个邀请码，然后发送：/start 邀请码
not-allowed = 抱歉，您的角色不能使用这个功能。发送 /help 查看可用命令。
button-expired = 这个按钮已失效，请重新发送命令。
error-generic = 出了点问题，已记录。请稍后再试，或发送 /help。

## 角色
role-worker = 网格员
role-contact = 村（社区）联络员
role-office = 平安办

## 登记
start-no-code = 欢迎使用反诈宣传台账！请向平安办要邀请码，然后发送：/start 邀请码
invite-unknown = 邀请码不对。请核对后重新发送：/start 邀请码
invite-expired = 这个邀请码已过期。请向平安办要一个新的。
invite-used_up = 这个邀请码已用完。请向平安办要一个新的。
welcome = { $name }，欢迎！您是{ $org }的{ $role }。
    { $next }
welcome-back = { $name }，您好！您是 { $path } 的{ $role }。发送 /help 查看命令。
next-worker = 下一步：直接发一句今天的工作（如“入户15户，海报3张”），或发送 /log 按步骤登记。
next-contact = 下一步：发送 /deadlines 查看报送时间，/report 报送本村（社区）数据。
next-office = 下一步：发送 /summary 查看汇总，/invite 邀请人员，在工作群里发送 /bind_office 接收汇总。

## 我的信息
me = 姓名：{ $name }
    角色：{ $role }
    所属：{ $path }
me-office-chat = 汇总发送到群：{ $chat }
me-no-office-chat = 还没有绑定汇总群：在工作群里发送 /bind_office。
help-head = 记工作：直接发一句，如“入户15户，海报3张”
    一步步记：/log
    查看或改我记的：/mine
    全部命令：
lang-usage = 用法：/lang zh（中文）或 /lang en（English）
lang-set = 已切换为中文。

## 命令菜单
cmd-log = 登记工作（按步骤）
cmd-visit = 入户走访
cmd-poster = 张贴宣传品
cmd-app = 反诈APP安装
cmd-leaflet = 发放宣传单
cmd-lecture = 宣讲活动
cmd-push = 群推送
cmd-broadcast = 广播
cmd-mine = 我的记录（撤销/修改）
cmd-stats = 本月进度
cmd-deadlines = 报送时间
cmd-report = 报送数据
cmd-summary = 查看汇总
cmd-missing = 谁还没报送
cmd-export = 导出进展情况表
cmd-invite = 生成邀请码
cmd-users = 人员管理
cmd-bind_office = 把本群设为汇总群
cmd-me = 我的信息
cmd-lang = 切换语言
cmd-cancel = 取消当前操作
cmd-help = 帮助

## 平安办工具
invite-bad-org = 没有找到 { $code }，或它不在您的管辖范围内。
bind-office-group-only = 请在工作群里发送 /bind_office（不是私聊）。
bind-office-done = 好的，汇总将发送到本群“{ $title }”。
users-none = 您的范围内还没有其他人员。发送 /invite 邀请。
users-head = 共 { $count } 人：
users-deactivate-btn = 停用 { $name }
users-deactivated = 已停用 { $name }。

## 活动类型
kind-visit = 入户走访
kind-poster = 张贴宣传品
kind-app = 反诈APP安装
kind-leaflet = 发放宣传单
kind-lecture = 宣讲活动
kind-push = 群推送
kind-broadcast = 广播

## 指标与单位
m-households = 入户
m-people = 宣传群众
m-pledges = 承诺书
m-app_installs = 安装APP
m-posters = 海报
m-banners = 横幅
m-slogans = 标语
m-boards = 展板
m-leaflets = 宣传单
m-lectures = 宣讲
m-attendees = 参加人数
m-group_pushes = 推送
m-broadcasts = 广播
u-households = 户
u-people = 人
u-pledges = 份
u-app_installs = 人
u-posters = 张
u-banners = 条
u-slogans = 条
u-boards = 块
u-leaflets = 份
u-lectures = 场
u-attendees = 人
u-group_pushes = 次
u-broadcasts = 次
measure-value = { $measure } { $value }{ $unit }

## 按步骤登记
log-pick-kind = 要登记哪项工作？点一下：
ask-number = { $measure }多少{ $unit }？点数字，或直接输入（如 15、十五）。
btn-skip = 跳过
btn-share-location = 📍 发送当前位置
btn-confirm = ✅ 确认
btn-edit = ✏️ 修改
btn-cancel = ✖️ 取消
btn-save = ✅ 保存
btn-sure = ✅ 确认无误
btn-undo-id = 撤销 { $kind }
btn-redo = 恢复
ask-houses = 走访了哪些户？可发门牌号，用逗号、空格或换行分开（如 3组12号 3组14号）。没有就点跳过。
ask-place = 在哪里？点“发送当前位置”，或输入地址。不需要就点跳过。
ask-place-required = 张贴在哪里？点“发送当前位置”，或输入地址（必填）。
ask-photo = 发一张现场照片。没有就点跳过。
ask-photo-required = 请拍一张现场照片发来（必填）：点输入框旁的📎。现在拍不了就发 /cancel，拍好再记。
day-today = 今天
day-yesterday = 昨天
day-before = 前天
bad-number = 填个数字就行，比如 30 或 三十。
need-one-figure = 至少要填一项数量，请重新填写。
wrong-input = 这一步要的不是这个。
photo-duplicate = ⚠️ 这张照片以前用过。仍会保存，但会标记给平安办核查。
card-title = 请核对【{ $kind }】：
card-no-figures = （没有数量）
card-day = 日期：{ $day }
card-place = 地点：{ $place }
card-houses = 门牌：{ $count } 户（{ $houses }）
card-photos = 照片：{ $count } 张
recheck = 数字较大：{ $figures }。确认无误吗？确认后会提交平安办复核。
saved = 已保存：{ $what }。
saved-next = 记错了可点下面的撤销，或发送 /mine 查看。
flag-duplicate_evidence = ⚠️ 照片重复使用，已标记核查。
flag-needs_review = ⚠️ 数字较大，已提交平安办复核。
flag-over_registered = ⚠️ 本村（社区）入户数已超过登记户数，已标记核查。
cancelled = 已取消，什么都没保存。
nothing-to-cancel = 现在没有进行中的操作。发送 /log 开始登记。

## 一句话上报
quick-nothing = 没看到数字。记工作就发一句，如“入户15户，海报3张”，或点下面按钮一步步填：
quick-card-title = 我读到的是：
quick-place-hint = 提示：海报横幅需要照片和地点，可用 /poster 按步骤登记。
quick-expired = 这张卡片已处理过或已过期。请重新发送。
## 我的记录
mine-none = 本月还没有记录。直接发一句今天的工作，或发送 /log。
mine-head = 今天 { $today } 条，本月 { $month } 条：
undone = 已撤销：{ $what }。点错了可以恢复。
already-undone = 这条已经撤销过了。
restored = 已恢复：{ $what }。
edit-ask = 修改：{ $now }。请发新的数字，或一句话如“入户12户”。
edit-bad = 没读懂。请发新的数字（现在：{ $now }），或发送 /cancel。
edited = 已修改：{ $now }。原记录已留档。
stats-mine = 我本月：{ $figures }
stats-area = { $area }本月：{ $figures }
stats-progress = { $measure ->
    [coverage] 入户
   *[other] APP安装
  } { $done }/{ $goal }，还差 { $missing }（{ $passed ->
    [yes] { $due }的目标已过
   *[other] { $due }前完成
  }）
## 报送与截止时间
deadlines-head = 报送时间：
deadlines-none = 近期没有截止的报送。
deadlines-next = 要报送请发送 /report。
status-on_time = 已按时报送
status-late = 已报送（逾期）
status-owed = 还没报送
status-na = 不需您报送
report-none = 目前没有需要您报送的。发送 /deadlines 查看报送时间。
report-pick = 要报送哪一项？
report-pick-btn = { $title }（{ $due }截止{ $late ->
    [yes] ，已逾期
   *[other] {""}
  }）
report-gone = 这项报送已结束或已失效。请重新发送 /report。
report-card = 【{ $title }】统计{ $start }—{ $end }，{ $due }截止
report-evidence = 佐证材料：{ $count } 份
report-note = 说明：{ $note }
report-nil = 本期无活动，原因：{ $reason }
report-will-be-late = ⚠️ 已过截止时间，报送将记为逾期。
report-ask-note = 请发送说明文字，也可以发照片。
report-ask-nil = 本期没有开展活动？请简单写一下原因。
report-done = ✅ 已报送【{ $title }】。{ $due }前还可以重新报送，原记录留档。
report-done-late = ⏰ 已报送【{ $title }】，已过截止时间，记为逾期。
btn-submit = ✅ 确认报送
btn-add-note = 📝 添加说明/照片
btn-nil = 本期无活动
btn-report-now = 立即报送

## 提醒
remind = ⏰ { $due }前要报【{ $title }】（统计{ $period }）。
    { $progress }
    点“立即报送”核对后提交。
escalate-contact = 【{ $title }】快截止了，这些网格员还没完成：{ $names }。请提醒他们。
escalate-office = 【{ $title }】{ $due }截止，还有 { $count } 个村（社区）没报送：{ $names }

## 平安办查询
working = 正在生成，请稍候…
summary-usage = 用法：/summary 或 /summary 2026-11（年-月）
export-usage = 用法：/export 或 /export 2026-11（年-月）
export-caption = { $root } { $month } 进展情况表
chart-caption = { $root } { $month } 入户率、安装率
missing-no-deadline = 目前没有进行中的报送。
missing-none = 【{ $title }】都已报送。
missing-head = 【{ $title }】{ $due }截止，还有 { $count } 个村（社区）没报送：
missing-no-contact = （还没有联络员，可发 /invite 邀请）
btn-nudge = 🔔 提醒他们
nudge = 🔔 平安办提醒：【{ $title }】{ $due }截止，请尽快报送。
nudge-wait = 刚提醒过，{ $minutes } 分钟后可再提醒。
nudge-done = 马上提醒：{ $names }。
weekly-title = 📅 上周工作周报

## 汇总（bot/summary.py）：文字汇总、进展情况表和图表。两种语言的键必须一致。

summary-title = 📊 { $root } 反诈宣传工作汇总
summary-all-orgs = 全部单位
summary-period = 统计期间：{ $start } 至 { $end }（截至 { $asof }）
summary-deadline = 报送期次：{ $period }，截止 { $due }
summary-totals = 【合计】
summary-township-title = 【{ $name }】
summary-township-head = —— { $name } ——
summary-direct = { $name }（本级）
summary-no-rows = 没有村（社区）数据。
summary-no-contact = 无联络员
summary-pace-ok = ✅
summary-pace-behind = ⚠️落后
summary-target = ；目标 { $target }（{ $due }前），应达 { $expected }{ $pace }
summary-quota = （应达 { $quota } 场{ $pace }）
summary-materials = 海报 { $posters } 张 · 横幅 { $banners } 条 · 标语 { $slogans } 条 · 展板 { $boards } 块（有照片和位置 { $placed }，{ $placed_entries }/{ $poster_entries } 条记录）
summary-total-activities = 宣传单 { $leaflets } 份 · 宣讲 { $lectures } 场 { $attendees } 人{ $quota } · 群推送 { $pushes } 次 · 广播 { $broadcasts } 次
summary-total-audit = 佐证照片 { $evidence } 张 · 存疑 { $flagged } 条 · 台账 { $entries } 条
summary-total-submitted = 报送：按时 { $on_time } · 逾期 { $late } · 未报 { $missing } · 未到截止 { $pending }
summary-area-line2 = 　宣传品 { $materials }（照片+位置 { $placed }）· 传单 { $leaflets } · 宣讲 { $lectures } 场 { $attendees } 人 · 推送 { $pushes }{ $push_pace } · 广播 { $broadcasts } · 佐证 { $evidence } · 存疑 { $flagged }
summary-status-on_time = ✅按时（{ $who }）
summary-status-late = ⏰逾期（{ $who }）
summary-status-missing = ❌未报（{ $who }）
summary-status-pending = ⏳未报，未到截止（{ $who }）

## 状态、类别、数量、标记（表格和明细）
summary-status-label-on_time = 按时
summary-status-label-late = 逾期
summary-status-label-missing = 未报送
summary-status-label-pending = 未报送（未到截止）
summary-kind-visit = 入户走访
summary-kind-poster = 张贴宣传品
summary-kind-app = 反诈APP安装
summary-kind-leaflet = 发放宣传单
summary-kind-lecture = 宣讲活动
summary-kind-push = 群推送
summary-kind-broadcast = 广播
summary-m-households = 入户{ $n }户
summary-m-people = 宣传{ $n }人
summary-m-pledges = 承诺书{ $n }份
summary-m-app_installs = 安装APP{ $n }人
summary-m-posters = 海报{ $n }张
summary-m-banners = 横幅{ $n }条
summary-m-slogans = 标语{ $n }条
summary-m-boards = 展板{ $n }块
summary-m-leaflets = 宣传单{ $n }份
summary-m-lectures = 宣讲{ $n }场
summary-m-attendees = 参加{ $n }人
summary-m-group_pushes = 群推送{ $n }次
summary-m-broadcasts = 广播{ $n }次
summary-flag-duplicate_evidence = 照片重复
summary-flag-needs_review = 待复核
summary-flag-over_registered = 超出登记户数
summary-yes = 是
summary-no = 否

## 进展情况表（xlsx）
xlsx-sheet-progress = 进展情况表
xlsx-sheet-ledger = 台账明细
xlsx-totals = 合计
xlsx-note = 说明：入户率＝今年不重复入户÷实有户数（登记了门牌的同一户只算一次，未登记门牌的按户次计）；安装率＝累计安装人数（导入数＋之后登记，不按年清零）÷常住人口；应达进度按上一目标至本目标时限线性计算。
col-township = 乡镇（街道）
col-area = 村（社区）
col-registered = 实有户数
col-population = 常住人口
col-households = 入户（户次）
col-listed = 其中登记门牌（户）
col-people = 宣传人数（人）
col-pledges = 承诺书（份）
col-reached = 今年不重复入户（户）
col-coverage = 入户率
col-coverage-target = 入户率目标
col-coverage-due = 入户目标时限
col-coverage-expected = 入户率应达进度
col-coverage-pace = 入户是否达进度
col-installs-ytd = 累计安装（人）
col-install-rate = 安装率
col-install-target = 安装率目标
col-install-due = 安装目标时限
col-install-expected = 安装率应达进度
col-install-pace = 安装是否达进度
col-posters = 海报（张）
col-banners = 横幅（条）
col-slogans = 标语（条）
col-boards = 展板（块）
col-placed = 有照片和位置（张/条/块）
col-leaflets = 宣传单（份）
col-lectures = 宣讲活动（场）
col-attendees = 参加人数（人）
col-pushes-quota = 推送应达（次）
col-broadcasts = 广播（次）
col-evidence = 佐证照片（张）
col-entries = 台账（条）
col-flagged = 存疑（条）
col-status = 报送情况
col-submitter = 报送人／联络员
col-submitted-at = 报送时间
ledger-id = 编号
ledger-date = 日期
ledger-recorded = 登记时间
ledger-who = 填报人
ledger-org = 所属网格／村（社区）
ledger-kind = 工作类别
ledger-place = 位置
ledger-evidence = 佐证照片（张）
ledger-listed = 其中登记门牌（户）
ledger-flags = 标记

## 图表
chart-title = { $root } 入户率和反诈APP安装率（截至 { $asof }）
chart-coverage = 入户率
chart-install = APP安装率
chart-by-township = （按乡镇（街道）汇总）
ask-number-short = { $measure }多少{ $unit }？
card-place-gps = 地点：📍已定位
deadlines-worker = 报送由村（社区）联络员负责，您只管记工作。
report-none-worker = 报送由村（社区）联络员负责，您只管记工作。发送 /stats 看本月进度。
status-owed-late = 已逾期，还没报送
nudge-nobody = 没有可提醒的人：这些村（社区）还没有联络员。
quick-unread-only = 没看懂：{ $parts }。
invite-deactivated = 您的账号已被停用，不能用邀请码重新加入。如有疑问请联系平安办。
edit-gone = 这条记录已撤销或已不存在，不能修改了。发送 /mine 查看。
houses-raised = 门牌有 { $count } 户，入户数按 { $count } 户记。
choices-numbered = 回复 { $choices }
choices-words = 可回复：{ $choices }

# one-line reports and /mine
quick-location = 收到位置了，但现在没有要填地点的登记。记工作请发一句话，如“海报3张”，或发送 /log。
quick-photo-kept = 照片已收到（共 { $count } 张）。请在10分钟内发一句工作情况，如“海报3张”，照片会一起保存。
quick-reread = 已按修改后的内容重新识别，原来的卡片作废。
quick-card-check = 对吗？点“保存”。哪个数不对点“修改”，或直接重发一句。
quick-card-missed = 没看懂：{ $parts }。漏了就重发一句。
quick-edit-pick = 改哪一项？点一下，再发新的数字。
btn-quick-day = 日期 { $day }
quick-ask-figure = { $measure }现在是 { $now }{ $unit }，改成多少？发数字即可。
quick-changed = 已改好。
mine-pick = 第 { $page }/{ $pages } 页。点编号可撤销或修改。
mine-pick-one = 点编号可撤销或修改。
mine-entry = { $line }
    撤销还是修改？
btn-older = ⬅️ 更早
btn-newer = 更新 ➡️
btn-undo = 撤销
edit-other-kind = 这条是{ $kind }，没有{ $measures }。请发这条的新数字（现在：{ $now }），或发送 /cancel。

# report, office and admin
invite-help = 用法：/invite 组织 角色 [次数] [天数]
    组织：代码或名称；角色：网格员、联络员、平安办（或 worker、contact、office）
    例如：/invite BHQ-1 网格员 10 7
    可用的组织：
    { $codes }
invite-more = ……还有 { $count } 个
invite-code = 邀请码：{ $code }
    { $org } · { $role } · 可用 { $uses } 次 · { $days } 天内有效
    请转发给对方，让对方发送：/start { $code }
invite-link = 也可以点链接加入：{ $link }
users-line = #{ $id } { $name } · { $role } · { $org }
nudge-later = 现在是休息时间，已安排在{ $day ->
        [today] 今早
       *[other] 明早
    } { $time } 提醒：{ $names }。

# guided logging (log.py)
btn-zero = 没有
btn-more = ➕ 更多
btn-back = ↩️ 返回
btn-houses = 门牌号
btn-place = 位置
btn-photo = 照片
btn-day = 日期
log-ask-day = 哪天做的？点一下，或输入日期（如 { $example }）。
log-bad-day = 只能记最近 7 天内的（{ $first } 到 { $today }）。
log-skip-required = 这一项必填，不能跳过。
log-edit-pick = 改哪一项？点一下，改完回到核对。
log-more-pick = 还要补充哪一项？点一下，补完回到核对。
log-photo-kept = 照片已存下。
log-place-kept = 位置已存下。
log-gone = 这张卡片已处理过或已过期，不会重复保存。要再记一条，发送 /log。

# office views (summary.py)
missing-line = · { $area }：{ $people }

# own entries (mine.py)
mine-redo-not-yours = 这条是平安办撤销的，不能自己恢复。有疑问请联系平安办。

# one-line reports (quick.py): edits of saved reports, photos onto the card
quick-already-saved = 这条已保存。要改，请发 /mine 找到它修改。
quick-photo-added = 照片已加到这张卡片上。
quick-photo-full = 一条最多 { $most } 张照片，这张没有保存。

# evidence and invite codes (evidence.py, start.py)
evidence-full = 照片存储空间已满，这张照片没能存档。请告诉平安办。其余内容照常记录。
invite-wait = 邀请码错误次数太多，请 { $minutes } 分钟后再试。

# WeCom channel (channels/wecom): card titles, people reminders cannot reach (summary.py)
wecom-choose = 请选择：
wecom-more = 更多选择：
missing-unreachable = { $name }（联系不上）
missing-unreachable-hint = 标“联系不上”的人收不到机器人的提醒（比如从没和机器人说过话）：请电话通知，并请他给机器人发一句话。

## submissions match what was submitted (report.py, summary.py, deadlines.py)
deadline-name = { $title }（{ $due }截止）
changes-more = 又登记了 { $measures }
changes-less = 撤销了 { $measures }
report-changed = 报送后{ $changes }
status-changed = 报送后有变动
btn-resubmit = 🔄 重新报送（{ $due }截止）
report-pick-redo-btn = { $title }（{ $due }截止，重新报送）
report-pick-changed = 【{ $title }】{ $changes }
report-nil-has-figures = 本期已有：{ $figures }。仍报无活动？
btn-nil-anyway = 仍报无活动
summary-status-changed = ⚠️报送后有变动：{ $changes }
summary-status-nil-despite = ⚠️报无活动，但本期有登记
status-label-changed = ·报送后有变动
status-label-nil-despite = ·报无活动但有登记
missing-overdue = 已逾期仍未报送：
missing-overdue-line = · 【{ $title }】{ $due }截止，{ $count } 个没报：{ $areas }
summary-deadlines-head = 各期报送（村/社区数）：
summary-deadline-tally = · { $name }：{ $counts }
summary-tally-changed = （其中 { $count } 个报送后有变动）
## early warnings (warnings.py: 预警劝阻)
warn-file-bad = 这个预警文件没有导入（一条也没有）：第 { $row } 行，{ $reason }。请改好后重新发送。
warn-err-unreadable = 文件打不开，请另存为 .xlsx 或 CSV 再发
warn-err-type = 只能导入 .xlsx 或 .csv 文件
warn-err-empty = 文件里没有预警
warn-err-columns = 缺少列：{ $columns }
warn-err-too-many = 一次最多导入 { $most } 条
warn-err-missing = “{ $column }”是空的
warn-err-text = “{ $column }”太长或含有看不见的字符
warn-err-phone = 电话号码不对（应为手机号或座机号）
warn-err-time = 预警时间应写成 2026-11-24 14:30，现在是“{ $value }”
warn-err-id4 = 身份证后四位应为 4 位数字（最后一位可为 X）
warn-err-long = 姓名或预警类型太长
warn-card = 预警 #{ $id }（{ $hours } 小时内处置）
    姓名：{ $name }
    电话：{ $phone }
    住址：{ $address }
    类型：{ $kind }
    网格：{ $area }
    预警时间：{ $at }
    请立即联系，联系后点结果。
warn-btn-met = 已见面劝阻
warn-btn-phone = 已电话劝阻
warn-btn-nr = 联系不上
warn-btn-lost = 已被骗
warn-btn-away = 不在本网格
warn-btn-skip = 跳过
warn-btn-fu = 登记回访
warn-btn-fu-id = 回访 #{ $id }
warn-btn-move = 改派 #{ $id }
warn-new = 【紧急预警】有一位群众可能正在被骗，请马上联系劝阻。
warn-retry = 【预警再次提醒】上次没联系上（第 { $tries } 次，共 { $most } 次），请再试一次。
warn-half = 【预警提醒】这条预警还没有记录结果，请尽快联系。
warn-late-head = 【预警超时】以下 { $count } 条预警 { $hours } 小时内没有处置结果：
warn-late-line = · { $who } { $kind }（{ $area }）
warn-office-only = 只有办公室可以导入预警。
warn-file-too-big = 文件太大，没有收到。请分成几个小文件发送，或请管理员用命令导入。
warn-imported = 已导入预警 { $added } 条（重复未导入 { $known } 条，对不上网格 { $unassigned } 条），已立即发给各网格。对不上网格的请发 /warnings 改派。
warn-ask-name = 登记一条预警。预警对象姓名？（随时发“取消”可退出）
warn-ask-phone = 电话号码？
warn-ask-area = 哪个网格或村？输入名称或代码（如 BHQ-1）。
warn-ask-kind = 预警类型？点一下，或直接输入。
warn-ask-address = 住址？（可跳过）
warn-one-usage = 也可以一行输入：/warn 姓名 电话 网格 类型 [住址]
warn-bad-amount = 请输入被骗金额（元），如 5000 或 1.2万；不清楚可跳过。
warn-ask-amount = 被骗金额多少元？（可跳过）
warn-ask-note = 可写一句备注或发一张照片（可跳过）。
warn-note-saved = 已补充到预警 { $who }。
warn-skipped = 好的。
warn-already = 预警 { $who } 已有结果：{ $outcome }。
warn-out-met = 已见面劝阻
warn-out-phone = 已电话劝阻
warn-out-unreachable = 联系不上
warn-out-defrauded = 已被骗
warn-returned-office = 预警 { $who } 被 { $by } 退回：不在本网格。请发 /warnings 改派。
warn-returned = 已退回办公室改派：预警 { $who }。
warn-try-later = 已记录：预警 { $who } 联系不上（第 { $tries } 次，共 { $most } 次）。2 小时后会再提醒您。
warn-unreachable = 预警 { $who } 已 { $most } 次联系不上，记为“联系不上”。
warn-recorded = 已记录：预警 { $who } { $outcome }。
warn-fu-open = 这条预警还没有结果，不能登记回访。
warn-fu-done = 已登记回访：预警 { $who }。
warn-move-usage = 改派：/warnings 预警编号 网格名称或代码，如 /warnings 12 BHQ-2
warn-none-open = 目前没有未处置的预警。
warn-view-head = 未处置的预警共 { $count } 条：
warn-view-unassigned = 待改派（{ $count }）：
warn-view-overdue = 已超时（{ $count }）：
warn-view-open = 处置中（{ $count }）：
warn-view-line = #{ $id } { $name } { $phone } { $kind }（{ $area }）{ $tries ->
        [0] {""}
       *[other] 联系不上 { $tries } 次
    }
warn-move-hint = 点“改派”选网格，或输入 /warnings 编号 网格。
warn-move-ask = 预警 { $who } 改派到哪里？
warn-moved = 预警 { $who } 已改派到 { $area }，已立即发出。
warn-none-mine = 您目前没有预警任务。
warn-own-closed = 已处置的预警（可登记回访）：
warn-own-line = · { $who } { $outcome } { $fu }
warn-fu-mark = （已回访）
warn-figures = 预警 { $received } 条：按时联系 { $reached }，劝阻 { $dissuaded }，联系不上 { $unreachable }，已被骗 { $defrauded }；首次联系用时中位数 { $median }。登记劝阻 { $logged } 人，回访 { $followups } 人。
warn-minutes = { $n } 分钟
warn-hours = { $n } 小时
cmd-warnings = 预警任务
cmd-warn = 登记一条预警
warn-btn-undo = 改一下
warn-undone = 已撤回刚才的结果，请重新选择。
warn-bad-area = 找不到“{ $area }”。请输入网格或村的名称或代码（如 BHQ-1）。
## 一句话上报的新读法、入户数的一种说法（issue 11）
kind-sms = 短信提醒
kind-site = 宣传阵地
kind-receipt = 收回回执
kind-dissuade = 劝阻回访
m-receipts = 回执
m-sms = 短信
m-sites = 宣传阵地
m-dissuasions = 劝阻
m-follow_ups = 回访
u-receipts = 份
u-sms = 条
u-sites = 处
u-dissuasions = 人
u-follow_ups = 人
summary-kind-sms = 短信提醒
summary-kind-site = 宣传阵地
summary-kind-receipt = 收回回执
summary-kind-dissuade = 劝阻回访
summary-m-receipts = 回执{ $n }份
summary-m-sms = 短信{ $n }条
summary-m-sites = 宣传阵地{ $n }处
summary-m-dissuasions = 劝阻{ $n }人
summary-m-follow_ups = 回访{ $n }人
quick-card-approx = 约数按较小的数记：{ $figures }
quick-card-not-added = 累计、合计和“其中”分项不重复计入：{ $parts }
quick-place-hint-site = 提示：宣传阵地需要照片和地点，可用 /site 按步骤登记。
-households-year = 今年不重复入户
u-households-summed = 户次
summary-visits = { $title }入户 { $households } 户次（其中 { $listed } 户登记了门牌），宣传 { $people } 人，承诺书 { $pledges } 份
summary-coverage = 入户率 { $rate }（{ -households-year } { $reached }/{ $base } 户{ $target }）
summary-area-visits = ▪ { $name }：入户 { $households } 户次 · { -households-year } { $reached } 户，入户率 { $coverage }{ $cov_pace } · APP { $installs } 人 安装率 { $rate }{ $inst_pace }
summary-footnote-households = 注：{ -households-year }＝登记了门牌的同一户只算一次，加上没登记门牌的户次。
stats-progress-households = { -households-year } { $done }/{ $goal } 户，还差 { $missing }（{ $passed ->
    [yes] { $due }的目标已过
   *[other] { $due }前完成
  }）
## printable progress table, chart pace, report notes, evidence zip (export.py, evidence_zip.py)
xlsx-title = { $root } 反诈宣传工作进展情况表
xlsx-title-for = { $root } 反诈宣传工作进展情况表（{ $deadline }）
xlsx-period = 统计期间：{ $start } 至 { $end }　截至：{ $asof }
xlsx-constant = { $name }：{ $value }
xlsx-lectures-quota = 宣讲活动应达：{ $n } 场
col-app_installs = 本期安装APP（人）
col-group_pushes = 群推送（次）
col-note = 报送说明（亮点）
chart-coverage-pace = 入户率应达进度
chart-install-pace = 安装率应达进度
summary-note = { "  " }说明：{ $note }
btn-evidence-zip = 佐证材料
evidence-zip-offer = 要转发佐证照片？点“佐证材料”，按村打包发给您。
evidence-zip-working = 正在打包佐证照片（共 { $count } 张），请稍候…
evidence-zip-none = { $month } 没有存档的佐证照片。
evidence-zip-part = { $root } { $month } 佐证材料（第 { $part }/{ $parts } 包，{ $count } 张照片）
evidence-zip-caption = { $root } { $month } 佐证材料（{ $count } 张照片）
evidence-zip-missing = 另有 { $count } 张照片只存了链接、没有存档文件，未能打包。
evidence-report-kind = 报送
csv-file = 文件
csv-entry = 编号
csv-area = 村（社区）
csv-date = 日期
csv-kind = 类别
csv-who = 填报人
csv-figures = 数量
csv-place = 位置
csv-recorded = 登记时间
csv-reused = 照片重复使用
## wecom: card updates and refused files (channels/wecom)
wecom-see-below = 详见下一条消息
wecom-busy = 收到，正在处理…
wecom-file-failed = 文件发送失败，请稍后再试。
nudge-unreachable = 联系不上（收不到机器人的消息），请电话通知：{ $names }。
## APP installs as a running total
summary-total-installs-running = 反诈APP 本期安装 { $installs } 人，累计 { $reached }/{ $base } 人，安装率 { $rate }{ $target }
summary-area-installs = { $rate }（累计 { $reached } 人）
summary-footnote-running = 注：入户率为今年累计；APP安装为累计总数（导入数 + 之后登记），不按年清零；同一门牌只算一户；✅达到进度，⚠️落后于进度。
report-installs = 反诈APP 累计安装 { $reached }/{ $base } 人，安装率 { $rate }

## 提醒他们：逾期的也提醒（issue 11）
nudge-many = 🔔 平安办提醒：这些报送还没交，请尽快报送：
nudge-many-line = · 【{ $title }】{ $due }截止

## 报送后有变动：截止当天告诉报送人一次（issue 11）
changed-tell = 📝 【{ $title }】报送后{ $changes }。{ $due }截止前重新报送，仍算按时。

## early warnings review (warn2)
warn-late-unassigned = 待改派
warn-imported-old = { $old } 条预警时间已超过 { $days } 天，已过处置期限，没有导入。

## security review (revB)
warn-err-formula = “{ $column }”以 = + - @ 开头，表格软件会把它当成公式
warn-err-unpacked = 文件解压后超过 { $most } MB，不像预警表格
## integration review (revA)
warn-flow-kept = 刚才没做完的还在，接着做就行。
log-day-unread = 没看懂“{ $text }”是哪天。
## summary: the later measures written as the lines above them
summary-more-receipts = 回执 { $n } 份
summary-more-sms = 短信 { $n } 条
summary-more-sites = 宣传阵地 { $n } 处
