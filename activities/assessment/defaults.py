"""The scheme a branch starts with (README "Quarterly assessment" documents it).

Base items add up to 100; bonuses add on top, each up to its cap; deductions take off up to theirs.
Item names are the branch's own words (data, shown in the workbook), so they are stored in Chinese.
"""

from decimal import Decimal

from ..models import AssessmentItem

Rule = AssessmentItem.Rule

# (rule, name, points, target, cap)
DEFAULT_ITEMS = (
    (Rule.ORG_LIFE, "组织生活出勤", 25, None, None),
    (Rule.ACTIVITIES, "主题活动与专题课", 10, None, None),
    (Rule.STUDY_HOURS, "学习学时", 20, 8, None),
    (Rule.DEDICATION, "党员奉献日", 15, None, None),
    (Rule.RED_FLAG, "红旗井（设备）达标", 15, None, None),
    (Rule.APPEALS, "诉求按时答复", 10, None, None),
    (Rule.GUIDANCE, "联点班组指导", 5, None, None),
    (Rule.CARE_VISITS, "走访慰问加分", 1, None, 3),
    (Rule.HONOURS, "荣誉加分", 1, None, 5),
    (Rule.PATENTS, "专利加分", 2, None, 4),
    (Rule.PUBLICITY, "经验宣传加分", 1, None, 2),
    (Rule.DEDUCTIONS, "扣分", 0, None, 20),
)


def default_items(scheme) -> list[AssessmentItem]:
    return [
        AssessmentItem(
            scheme=scheme,
            rule=rule,
            name=name,
            points=Decimal(points),
            target=None if target is None else Decimal(target),
            cap=None if cap is None else Decimal(cap),
            position=index,
        )
        for index, (rule, name, points, target, cap) in enumerate(DEFAULT_ITEMS, start=1)
    ]
