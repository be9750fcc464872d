"""The demo branch's recognition: the seed's honours, innovation projects with awards and patents,
五带头标兵 selections, three-level publicity and the rules on the wall. Each part is skipped when the
branch has it already (idempotent)."""

import datetime as dt

from .models import BranchRule, Honor, Innovation, InnovationAward, ModelSelection, Nomination, Patent, Publicity

# (member index or None for the branch, title, level, awarded on, awarded by)
HONORS = [
    (8, "辛勤园丁", Honor.Level.PLANT, dt.date(2016, 12, 20), "百口泉采油厂"),
    (9, "创新尖兵", Honor.Level.PLANT, dt.date(2016, 12, 20), "百口泉采油厂"),
    (None, "铁人先锋号", Honor.Level.GROUP_COMPANY, dt.date(2015, 6, 30), "中国石油天然气集团公司"),
    (None, "先进基层党组织", Honor.Level.GROUP_COMPANY, dt.date(2016, 6, 28), "中共中国石油天然气集团公司党组"),
]


def build_honors(*, branch, members) -> int:
    if Honor.objects.filter(branch=branch).exists():
        return 0
    for index, title, level, awarded_on, awarded_by in HONORS:
        Honor.objects.create(
            branch=branch,
            member=None if index is None else members[index],
            title=title,
            level=level,
            awarded_on=awarded_on,
            awarded_by=awarded_by,
        )
    return len(HONORS)


# ---- innovation, selections, publicity and rules (build_recognition) -------------------------------

# (key, kind, title, lead index, member indexes, status, started on or days before today,
#  problem, solution, result, awards [(name, level, date)], patents [(number, kind, date)])
INNOVATIONS = [
    (
        "anti-theft-clamp",
        Innovation.Kind.TASK_FORCE,
        "抽油机井口防盗卡子研制",
        9,
        [9, 10, 12, 16],
        Innovation.Status.DONE,
        dt.date(2015, 3, 2),
        "偏远井场光杆卡子、盘根盒频繁被盗，每次停井少产油并需抢修。",
        "技术攻关小组设计一体式防盗卡子，专用扳手才能拆卸，现场可快速安装。",
        "在检188作业区全部抽油机井推广，当年未再发生被盗停井。",
        [
            ("百口泉采油厂技术创新成果一等奖", "采油厂", dt.date(2015, 12, 10)),
            ("新疆油田公司优秀合理化建议", "油田公司", dt.date(2016, 11, 15)),
        ],
        [("ZL201520687123.4", Patent.Kind.UTILITY_MODEL, dt.date(2016, 5, 18))],
    ),
    (
        "paraffin-tool",
        Innovation.Kind.SMALL_IMPROVEMENT,
        "单井计量装置快速清蜡工具",
        9,
        [9, 13, 20],
        Innovation.Status.DONE,
        dt.date(2016, 4, 11),
        "冬季计量管线结蜡，人工清蜡一次需停计量两小时。",
        "把清蜡刮刀改为可伸缩快装结构，不拆法兰即可清蜡。",
        "单次清蜡时间缩短到二十分钟。",
        [("百口泉采油厂小改小革优秀成果", "采油厂", dt.date(2016, 12, 20))],
        [
            ("ZL201620345678.9", Patent.Kind.UTILITY_MODEL, dt.date(2017, 3, 8)),
            ("ZL201610876543.2", Patent.Kind.INVENTION, dt.date(2018, 9, 26)),
        ],
    ),
    (
        "packing-jig",
        Innovation.Kind.SMALL_IMPROVEMENT,
        "注水井口密封填料更换工装",
        8,
        [8, 17, 22],
        Innovation.Status.DONE,
        dt.date(2016, 6, 6),
        "更换注水井口填料要两人配合，容易刺漏伤人。",
        "唐光辉带徒弟制作专用压盖工装，一人即可安全更换。",
        "在注水班推广，并编入岗位培训教材。",
        [("检188采油作业区合理化建议一等奖", "作业区", dt.date(2016, 10, 28))],
        [],
    ),
    (
        "down-well-rate",
        Innovation.Kind.TASK_FORCE,
        "红旗井躺井率攻关",
        1,
        [1, 9, 11, 24, 30],
        Innovation.Status.IN_PROGRESS,
        120,
        "难管井频繁躺井，检泵周期短。",
        "分析每口躺井原因，优化抽汲参数和防偏磨措施。",
        "",
        [],
        [],
    ),
    (
        "winter-pipeline",
        Innovation.Kind.SMALL_IMPROVEMENT,
        "集输管线冬季防冻小改造",
        33,
        [33, 40],
        Innovation.Status.PROPOSED,
        20,
        "冬季集输管线低洼处易冻堵。",
        "",
        "",
        [],
        [],
    ),
]

# (member index, nominated by index, reason, selected)
NOMINEES = [
    (9, 1, "带头技术创新：主持研制防盗卡子和清蜡工具，获国家专利；带头承包难管井。", True),
    (8, 2, "带头学习提高：带徒弟六名，三人取得技师资格；注水井口工装在全班推广。", True),
    (11, 5, "带头服务群众：主动走访困难员工，帮助解决子女上学问题。", True),
    (24, 6, "带头完成任务：承包的红旗井连续两个季度无躺井。", False),
    (30, 7, "带头遵章守纪：全年无违章，奉献日出勤满勤。", False),
]
OPEN_NOMINEES = [(16, 9, "带头攻坚克难：冬季抢修集输管线，连续奋战两昼夜。")]

CHINESE_QUARTERS = {1: "一", 2: "二", 3: "三", 4: "四"}

RULES = [
    (
        "三会一课制度",
        "一、支部党员大会每季度召开一次。\n二、支部委员会每月召开一次。\n三、党小组会每月召开一次。\n"
        "四、党课每季度至少一次，书记每年至少讲一次党课。\n五、每月开展一次主题党日。",
    ),
    (
        "党员奉献日制度",
        "一、每月确定一天为党员奉献日。\n二、内容以平整井场、清理井区垃圾、整理库房等脏活累活为主。\n"
        "三、支委每季度至少参加一次联点班组的奉献日。\n四、出勤和时长记入个人活动写实簿。",
    ),
    (
        "五一定工作法",
        "员工生病住院、遭遇困难、结婚、生子、孩子上大学，支部一定走访。\n"
        "联点支委七日内上门，走访情况记录在案，困难问题跟踪到解决。",
    ),
    (
        "党员联系群众制度",
        "一、每名支委联系一个班组，每月至少指导一次。\n二、每名党员当好宣传员、联络员、服务员。\n"
        "三、每季度召开一次群众意见恳谈会，员工诉求及时收集、及时反馈。",
    ),
    (
        "红旗井承包制度",
        "难管井、红旗设备由党员承包，实行五定管理：定人、定机、定时、定指标、定方法。\n"
        "承包效果按季度考核，记入目标管理考核。",
    ),
]


def _publicity(today: dt.date) -> list[tuple]:
    """(level, title, shared on, link, member index or None, honour title or None)"""
    return [
        (
            Publicity.Level.EXCHANGE,
            "周传辉技术攻关小组防盗卡子研制经验交流",
            dt.date(2016, 3, 22),
            "",
            9,
            "创新尖兵",
        ),
        (
            Publicity.Level.BULLETIN,
            "作业区生产简报：唐光辉带徒传技，注水井口工装全班推广",
            dt.date(2016, 11, 7),
            "",
            8,
            "辛勤园丁",
        ),
        (
            Publicity.Level.WEBSITE,
            "检188采油作业区党支部荣获“铁人先锋号”",
            dt.date(2015, 7, 6),
            "http://www.bkq.example.cn/news/2015/0706.html",
            None,
            "铁人先锋号",
        ),
        (
            Publicity.Level.BULLETIN,
            "作业区生产简报：红旗井躺井率攻关阶段成效",
            today - dt.timedelta(days=14),
            "",
            1,
            None,
        ),
    ]


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _build_innovations(branch, members, today) -> int:
    if Innovation.objects.filter(branch=branch).exists():
        return 0
    created = 0
    for _key, kind, title, lead, people, status, started, problem, solution, result, awards, patents in INNOVATIONS:
        started_on = started if isinstance(started, dt.date) else today - dt.timedelta(days=started)
        innovation = Innovation.objects.create(
            branch=branch,
            kind=kind,
            title=title,
            lead=members[lead],
            problem=problem,
            solution=solution,
            result=result,
            status=status,
            started_on=started_on,
        )
        innovation.members.set([members[i] for i in people])
        created += 1
        for name, level, awarded_on in awards:
            InnovationAward.objects.create(innovation=innovation, name=name, level=level, awarded_on=awarded_on)
            created += 1
        for number, patent_kind, granted_on in patents:
            _, new = Patent.objects.get_or_create(
                number=number, defaults={"innovation": innovation, "kind": patent_kind, "granted_on": granted_on}
            )
            created += new
    return created


def _build_selections(branch, members, today) -> int:
    """Last quarter's 五带头标兵, published early this quarter, and this quarter's, taking nominations."""
    if ModelSelection.objects.filter(branch=branch).exists():
        return 0
    this_start = _quarter_start(today)
    last_day = this_start - dt.timedelta(days=1)
    published_on = max(this_start, today - dt.timedelta(days=7))
    done = ModelSelection.objects.create(
        branch=branch,
        title=f"{last_day.year}年第{CHINESE_QUARTERS[(last_day.month - 1) // 3 + 1]}季度五带头标兵",
        state=ModelSelection.State.PUBLISHED,
        decided_on=published_on - dt.timedelta(days=3),
        published_on=published_on,
    )
    open_round = ModelSelection.objects.create(
        branch=branch, title=f"{today.year}年第{CHINESE_QUARTERS[(today.month - 1) // 3 + 1]}季度五带头标兵"
    )
    rows = [
        Nomination(selection=done, member=members[m], nominated_by=members[by], reason=r, selected=s)
        for m, by, r, s in NOMINEES
    ]
    rows += [
        Nomination(selection=open_round, member=members[m], nominated_by=members[by], reason=r)
        for m, by, r in OPEN_NOMINEES
    ]
    Nomination.objects.bulk_create(rows)
    return 2 + len(rows)


def _build_publicity(branch, members, today) -> int:
    if Publicity.objects.filter(branch=branch).exists():
        return 0
    honors = {h.title: h for h in Honor.objects.filter(branch=branch)}
    rows = [
        Publicity(
            branch=branch,
            level=level,
            title=title,
            shared_on=shared_on,
            link=link,
            member=None if member is None else members[member],
            honor=honors.get(honor) if honor else None,
        )
        for level, title, shared_on, link, member, honor in _publicity(today)
    ]
    Publicity.objects.bulk_create(rows)
    return len(rows)


def _build_rules(branch) -> int:
    if BranchRule.objects.filter(branch=branch).exists():
        return 0
    BranchRule.objects.bulk_create(
        BranchRule(branch=branch, title=title, body=body, position=10 * (n + 1))
        for n, (title, body) in enumerate(RULES)
    )
    return len(RULES)


def build_recognition(*, branch, members, today: dt.date) -> int:
    """Innovation projects (周传辉's two with their patents), a published 五带头标兵 selection and one
    taking nominations, three-level publicity and the branch's rules for the wall. Each part is
    skipped when the branch has it already; dates count from `today`, so a run on a given day
    always gives the same records. Call after build_honors (publicity points at the honours)."""
    return (
        _build_innovations(branch, members, today)
        + _build_selections(branch, members, today)
        + _build_publicity(branch, members, today)
        + _build_rules(branch)
    )
