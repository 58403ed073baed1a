## 平安办查询
working = 正在生成，请稍候…
summary-usage = 用法：/summary 或 /summary 2026-11（年-月）
export-usage = 用法：/export 或 /export 2026-11（年-月）
export-caption = { $root } { $month } 进展情况表
chart-caption = { $root } { $month } 入户率、安装率
missing-no-deadline = 目前没有进行中的报送。
missing-none = 【{ $title }】都已报送。
missing-head = 【{ $title }】{ $due }截止，还有 { $count } 个村（社区）没报送：
missing-no-contact = （没有联络员）
btn-nudge = 🔔 提醒他们
nudge = 🔔 平安办提醒：【{ $title }】{ $due }截止，请尽快报送。
nudge-wait = 一小时内已提醒过，请 { $minutes } 分钟后再试。
nudge-done = 已提醒 { $count } 人。
weekly-title = 📅 上周工作周报
