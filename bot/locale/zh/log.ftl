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
m-lectures = 活动
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
n = { $n }
btn-none = 没有 / 0
btn-skip = 跳过
btn-share-location = 📍 发送当前位置
btn-confirm = ✅ 确认
btn-edit = ✏️ 修改
btn-cancel = ✖️ 取消
btn-save = ✅ 保存
btn-sure = ✅ 确认无误
btn-undo-id = 撤销 #{ $id }
btn-edit-id = 修改 #{ $id }
btn-redo = 恢复 #{ $id }
ask-houses = 走访了哪些户？可发门牌号，用逗号或换行分开（如 3组12号，3组14号）。没有就点跳过。
ask-place = 在哪里？点“发送当前位置”，或输入地址。不需要就点跳过。
ask-place-required = 张贴在哪里？点“发送当前位置”，或输入地址（必填）。
ask-photo = 发一张现场照片。没有就点跳过。
ask-photo-required = 请发一张现场照片（必填）。
ask-day = 哪天做的？默认今天，也可输入日期（如 11-20）。
day-today = 今天
day-yesterday = 昨天
day-before = 前天
got-it = 收到。
bad-number = 请发一个数字，如 15 或 十五。
need-one-figure = 至少要填一项数量，请重新填写。
bad-day = 日期只能是今天或 7 天内，例如 11-20。请再选一次。
wrong-input = 这一步不需要这个。请按提示回答，或发送 /cancel 取消。
log-expired = 这一步已结束（可能是机器人重启了）。请重新发送 /log 开始。
photo-duplicate = ⚠️ 这张照片以前用过。仍会保存，但会标记给平安办核查。
card-title = 请核对【{ $kind }】：
card-no-figures = （没有数量）
card-day = 日期：{ $day }
card-place = 地点：{ $place }
card-houses = 门牌：{ $count } 户（{ $houses }…）
card-photos = 照片：{ $count } 张
recheck = 数字较大：{ $figures }。确认无误吗？确认后会提交平安办复核。
saved = 已保存 { $ids }。
saved-next = 记错了可点下面的撤销，或发送 /mine 查看。
flag-duplicate_evidence = ⚠️ 照片重复使用，已标记核查。
flag-needs_review = ⚠️ 数字较大，已提交平安办复核。
flag-over_registered = ⚠️ 本村（社区）入户数已超过登记户数，已标记核查。
cancelled = 已取消，什么都没保存。
nothing-to-cancel = 现在没有进行中的操作。发送 /log 开始登记。

## 一句话上报
quick-nothing = 没读到数量。可以这样写：“入户15户，海报3张，装APP 8人”。或点下面按步骤登记：
quick-card-title = 我读到的是：
quick-card-ask = 对吗？点“保存”。不对点“修改”重新发。
quick-place-hint = 提示：海报横幅需要照片和地点，可用 /poster 按步骤登记。
quick-expired = 这张卡片已处理过或已过期。请重新发送。
quick-edit = 好的，请重新发送改好的一句话。

## 我的记录
mine-none = 本月还没有记录。直接发一句今天的工作，或发送 /log。
mine-head = 今天 { $today } 条，本月 { $month } 条：
mine-more = 还有 { $count } 条更早的记录未显示。
undone = 已撤销 #{ $id }。点错了可以恢复。
already-undone = #{ $id } 已经撤销过了。
restored = 已恢复 #{ $id }。
edit-ask = 修改 #{ $id }（现在：{ $now }）。请发新的数字，或一句话如“入户12户”。
edit-bad = 没读懂。请发新的数字（现在：{ $now }），或发送 /cancel。
edited = 已修改 #{ $id }：{ $now }。原记录已留档。
stats-mine = 我本月：{ $figures }
stats-area = { $area }本月：{ $figures }
stats-progress = { $measure ->
    [coverage] 入户
   *[other] APP安装
  } { $done }/{ $goal }，还差 { $missing }（目标期限 { $due }）
