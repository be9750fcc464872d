import datetime as dt

import factory

from activities.models import Asset, RedFlagAssignment
from tests.factories import BranchFactory, MemberFactory


class AssetFactory(factory.django.DjangoModelFactory):
    """An asset written straight to the table; tests of the rules go through
    activities.services.assets instead."""

    class Meta:
        model = Asset

    branch = factory.SubFactory(BranchFactory)
    code = factory.Sequence(lambda n: f"J188-{n + 1}")
    kind = Asset.Kind.OIL_WELL
    station = "检188-1计量站"
    status = Asset.Status.IN_SERVICE
    hard_to_manage = False
    hard_reason = ""


class HardAssetFactory(AssetFactory):
    hard_to_manage = True
    hard_reason = "出砂严重，易卡泵"


class ActiveAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RedFlagAssignment

    asset = factory.SubFactory(AssetFactory)
    member = factory.SubFactory(MemberFactory, branch=factory.SelfAttribute("..asset.branch"))
    schedule = "每周一、周四 10:00 巡检"
    method = "定期巡检，及时清蜡"
    fit_reason = "岗位所需、党员所长"
    started_on = dt.date(2025, 1, 1)
