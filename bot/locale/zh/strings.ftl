## 通用
stranger = 您好！您还没有登记。请向平安办（综治办）要一个邀请码，然后发送：/start 邀请码
not-allowed = 抱歉，您的角色不能使用这个功能。发送 /help 查看可用命令。
not-understood = 没看懂这条消息。直接发一句工作情况（如“入户15户，海报3张”），或发送 /log 开始登记。
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
welcome = { $name }，欢迎！您是 { $path } 的{ $role }。
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
help-head = 您可以使用这些命令：
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
invite-usage = 用法：/invite 组织代码 角色 [次数] [天数]
    角色：worker（网格员）、contact（联络员）、office（平安办）
    例如：/invite BHQ-1 worker 10 7
    可用代码：{ $codes }
invite-bad-org = 没有找到 { $code }，或它不在您的管辖范围内。
invite-made = 邀请码：{ $code }
    { $org } · { $role } · 可用 { $uses } 次 · { $days } 天内有效
    { $link }
    请转发给对方，让对方发送：/start { $code }
bind-office-group-only = 请在工作群里发送 /bind_office（不是私聊）。
bind-office-done = 好的，汇总将发送到本群“{ $title }”。
users-none = 您的范围内还没有其他人员。发送 /invite 邀请。
users-head = 共 { $count } 人：
users-deactivate-btn = 停用 { $name }
users-deactivated = 已停用 { $name }。
