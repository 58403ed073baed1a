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
report-pick-btn = { $title }（{ $due }截止）
report-gone = 这项报送已结束或已失效。请重新发送 /report。
report-card = 【{ $title }】{ $start }–{ $end }，{ $due }截止
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
remind = ⏰ 提醒：【{ $title }】请在 { $due }前报送（{ $period }）。
    { $progress }
    点下面“立即报送”。
escalate-contact = 【{ $title }】快截止了，这些网格员还没完成：{ $names }。请提醒他们。
escalate-office = 【{ $title }】{ $due }截止，还有 { $count } 个村（社区）没报送：{ $names }
