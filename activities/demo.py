"""The demo branch's honours, as the seed names them. Skipped when they exist (idempotent)."""

import datetime as dt

from .models import Honor

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
