"""The console's words for recording a joint meeting (联席会议), in Chinese and English, keyed by
message id (see `console.domain.i18n`); reading one uses the lists' words (`ls.*`)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "mt.new": ("安排联席会议", "Schedule a joint meeting"),
    "mt.scheduled_at": ("召开时间", "When"),
    "mt.chair_hint": ("默认本季度轮值主席单位", "this term's rotating chair unless changed"),
    "mt.invite": ("邀请列席的职能部门", "Departments invited"),
    "mt.agenda_draft": ("从清单起草议程", "Draft the agenda from the lists"),
    "mt.agenda_hint": (
        "议程取自上次会议的反馈清单和待议需求（附建议匹配）；需求有更新可再次起草",
        "The agenda takes the last meeting's feedback list and the undecided needs with their "
        "suggested matches; draft it again when needs come in",
    ),
    "mt.attendance": ("记录到会", "Record who came"),
    "mt.units_present": ("到会成员单位", "Member units present"),
    "mt.departments_present": ("到会职能部门", "Departments present"),
    "mt.decide": ("记录决定", "Record a decision"),
    "mt.project": ("立项（满足需求）", "A project (meets needs)"),
    "mt.title": ("项目名称", "Project title"),
    "mt.need_ids": ("满足的需求", "Needs it meets"),
    "mt.offers": ("匹配的资源", "Offers matched"),
    "mt.due_at": ("完成期限", "Due by"),
    "mt.slots": ("可认领单位数", "Units that may claim it"),
    "mt.responsibility": ("明确责任", "A responsibility"),
    "mt.project_id": ("所属项目", "Project"),
    "mt.holder": ("责任单位", "Held by"),
    "mt.task": ("任务", "Task"),
    "mt.minutes_text": ("写入或修改纪要", "Write or amend the minutes"),
    "mt.decline": ("需求不予办理", "A need declined"),
    "mt.need_id": ("需求", "Need"),
    "mt.no_needs": (
        "议程上没有待议的需求（需求有更新可再次起草议程）",
        "No undecided need on the agenda (draft it again when needs come in)",
    ),
    "mt.no_projects": ("本次会议尚未立项", "No project decided at this meeting yet"),
    "mt.close": ("结束会议", "Close the meeting"),
    "mt.close_hint": (
        "结束后会议记录不再修改，各项决定随即生效：立项、明确责任、需求不予办理",
        "Once closed the record stays as it is and its decisions take effect: projects created, "
        "responsibilities given, needs declined",
    ),
    # A step refused because the record moved on (a deliberation's or a meeting's: 409).
    "record.conflict": (
        "记录已变化（已定稿或结束，或该事项已处理），此操作无法进行。请查看最新情况。",
        "The record has moved on (closed, or the matter already dealt with): this step no "
        "longer applies.",
    ),
    "mt.read_only": ("会议由社区协调员记录", "Coordinators record the meeting"),
}
