"""The console's words for the daily work: signing in again, ticket numbers, searching and
exporting the incident list, and a department's own queue, in Chinese and English, keyed by
message id (see `console.domain.i18n`)."""

MESSAGES: dict[str, tuple[str, str]] = {
    # Sessions
    "login.again": (
        "登录已过期, 请重新登录; 登录后回到刚才的页面。",
        "Your sign-in has expired: sign in again to go back to the page you were on.",
    ),
    "draft.restored": (
        "已恢复登录过期前填写的内容, 请核对后提交。",
        "What you typed before your sign-in expired is back: check it, then submit.",
    ),
    # Ticket numbers and the incident list
    "incident.ticket": ("工单号", "Ticket"),
    "search.words": ("搜索", "Search"),
    "search.hint": ("工单号、描述或地址", "Ticket, description or address"),
    "search.grid": ("网格", "Grid"),
    "search.department": ("承办部门", "Department"),
    "search.from": ("上报日期自", "Reported from"),
    "search.to": ("至", "to"),
    "search.found": ("共 {total} 件", "{total} found"),
    "search.page": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "search.previous": ("上一页", "Previous"),
    "search.next": ("下一页", "Next"),
    "search.clear": ("清除筛选", "Clear"),
    "search.open": ("办理中", "Open"),  # any status not finished, as the dashboard counts
    "export.csv": ("导出 CSV", "Export CSV"),
    "export.xlsx": ("导出 Excel", "Export Excel"),
    "export.sheet": ("民情事件", "Incidents"),
    "export.yes": ("是", "yes"),
    "incident.departments": ("承办部门", "Departments"),
    "incident.deadline": ("办理时限", "Deadline"),
    # A department's own queue
    "queue.title": ("本部门待办", "Our queue"),
    "queue.to_sign": ("待签收", "To sign for"),
    "queue.in_progress": ("办理中", "In progress"),
    "queue.overdue": ("已超时", "Overdue"),
    "queue.due": ("时限", "Due"),
    "queue.empty": ("没有待办", "Nothing waiting"),
}
