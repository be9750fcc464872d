"""The demo branch's people: 57 members of the 检188 operation area's branch, as the seed describes it.

Identity data is fixed (names, numbers, birth dates), so every run builds the same people. Names
are invented; 唐光辉 and 周传辉 are the two members the seed article names.
"""

import datetime as dt
import random
from dataclasses import dataclass

from .ethnicities import Ethnicity
from .models import CommitteeRole, Member
from .validators import id_card_check_char

E = Ethnicity
# (name, gender, ethnicity). The first eight are the committee and the group leaders, in login order.
PEOPLE: list[tuple[str, str, str]] = [
    ("王建军", "M", E.HAN),
    ("李志强", "M", E.HAN),
    ("张海燕", "F", E.HAN),
    ("艾力·买买提", "M", E.UYGHUR),
    ("陈丽娟", "F", E.HAN),
    ("杨永刚", "M", E.HAN),
    ("努尔兰·哈力木", "M", E.KAZAKH),
    ("赵红梅", "F", E.HAN),
    ("唐光辉", "M", E.HAN),
    ("周传辉", "M", E.HAN),
    ("吴国庆", "M", E.HAN),
    ("古丽娜尔·艾买提", "F", E.UYGHUR),
    ("徐明华", "M", E.HAN),
    ("孙振宇", "M", E.HAN),
    ("马晓东", "M", E.HUI),
    ("胡春生", "M", E.HAN),
    ("阿不都热合曼·吐尔逊", "M", E.UYGHUR),
    ("朱文博", "M", E.HAN),
    ("高建华", "M", E.HAN),
    ("何雪梅", "F", E.HAN),
    ("林志远", "M", E.HAN),
    ("郭志刚", "M", E.HAN),
    ("叶尔兰·努尔别克", "M", E.KAZAKH),
    ("罗长青", "M", E.HAN),
    ("梁玉兰", "F", E.HAN),
    ("宋振江", "M", E.HAN),
    ("郑伟", "M", E.HAN),
    ("阿依古丽·吐尔洪", "F", E.UYGHUR),
    ("谢国栋", "M", E.HAN),
    ("韩冬梅", "F", E.HAN),
    ("冯立军", "M", E.HAN),
    ("马国福", "M", E.HUI),
    ("邓小兵", "M", E.HAN),
    ("曹建新", "M", E.HAN),
    ("买买提江·阿布都拉", "M", E.UYGHUR),
    ("彭丽", "F", E.HAN),
    ("曾宪东", "M", E.HAN),
    ("肖国平", "M", E.HAN),
    ("巴特尔", "M", E.MONGOL),
    ("田秀英", "F", E.HAN),
    ("董海涛", "M", E.HAN),
    ("热依拉·买合木提", "F", E.UYGHUR),
    ("袁明亮", "M", E.HAN),
    ("潘红霞", "F", E.HAN),
    ("蒋志勇", "M", E.HAN),
    ("哈斯木·艾则孜", "M", E.UYGHUR),
    ("蔡文涛", "M", E.HAN),
    ("余晓燕", "F", E.HAN),
    ("杜鹏飞", "M", E.HAN),
    ("叶春燕", "F", E.HAN),
    ("程建国", "M", E.HAN),
    ("魏明", "M", E.HAN),
    ("苏玉梅", "F", E.HAN),
    ("吕志华", "M", E.HAN),
    ("丁建平", "M", E.HAN),
    ("任海龙", "M", E.HAN),
    ("沈晓丽", "F", E.HAN),
]

COMMITTEE = [
    CommitteeRole.Role.SECRETARY,
    CommitteeRole.Role.DEPUTY,
    CommitteeRole.Role.ORGANISATION,
    CommitteeRole.Role.PUBLICITY,
    CommitteeRole.Role.DISCIPLINE,
]
GROUP_LEADER_INDEXES = (5, 6, 7)  # j188006–j188008, one per party group, in group order
PROBATIONARY_INDEXES = (48, 53, 56)  # three members admitted in the last year
REGION_CODE = "650204"  # 克拉玛依市白碱滩区, where the 百口泉 plant is


@dataclass(frozen=True)
class DemoPerson:
    index: int
    name: str
    gender: str
    ethnicity: str
    employee_number: str
    birth_date: dt.date
    id_card_number: str
    phone: str
    status: str
    joined_on: dt.date


def employee_number(index: int) -> str:
    return f"j188{index + 1:03d}"


def make_id_card(birth_date: dt.date, sequence: int, gender: str) -> str:
    # The 17th digit is odd for men and even for women (GB 11643).
    seq = sequence * 2 + (1 if gender == "M" else 0)
    first17 = f"{REGION_CODE}{birth_date:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_card_check_char(first17)


def demo_people(today: dt.date) -> list[DemoPerson]:
    """The 57 people, the same on every run (a seeded generator picks dates and numbers)."""
    rng = random.Random(188)
    people = []
    for index, (name, gender, ethnicity) in enumerate(PEOPLE):
        birth = dt.date(1968, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 30))
        if index in PROBATIONARY_INDEXES:
            status = Member.Status.PROBATIONARY
            joined = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 200))
        else:
            status = Member.Status.FULL
            joined = birth.replace(day=1) + dt.timedelta(days=365 * rng.randrange(21, 28))
        people.append(
            DemoPerson(
                index=index,
                name=name,
                gender=gender,
                ethnicity=ethnicity,
                employee_number=employee_number(index),
                birth_date=birth,
                id_card_number=make_id_card(birth, 10 + index, gender),
                phone=f"139{rng.randrange(10**7, 10**8):08d}",
                status=status,
                joined_on=min(joined, today),
            )
        )
    return people


# ---- a year of member records (study, pairings, the pipeline) -------------------------------

STUDY_TOPICS = [
    ("学习党章和党内法规", "self_study"),
    ("学习习近平新时代中国特色社会主义思想专题", "meeting"),
    ("采油工岗位安全操作规程专题课堂", "topic_class"),
    ("抽油机井故障诊断与处理", "topic_class"),
    ("注水井分层配注技术", "topic_class"),
    ("学习铁人精神和石油精神", "meeting"),
    ("网上党校专题课程", "online"),
    ("油田节能降耗新工艺", "self_study"),
]
# (mentor index, partner index, kind, goal)
PAIRINGS = [
    (8, 16, "han_minority", "抽油机井日常巡检与故障判断"),
    (9, 22, "han_minority", "小改小革方案设计与制图"),
    (12, 27, "han_minority", "注水井资料录取规范"),
    (3, 30, "mutual_help", "双语宣讲党的政策"),
    (13, 40, "mutual_help", "计量站设备维护保养"),
    (18, 45, "mutual_help", "安全风险识别"),
]
# People on their way into the Party: not among the 57 members and without logins.
# (employee number, name, gender, ethnicity, stage)
PIPELINE_PEOPLE = [
    ("j188101", "刘畅", "M", Ethnicity.HAN, "applicant_late"),
    ("j188102", "木拉提·阿不都", "M", Ethnicity.UYGHUR, "applicant"),
    ("j188103", "王思雨", "F", Ethnicity.HAN, "activist"),
    ("j188104", "阿曼古丽·努尔", "F", Ethnicity.KAZAKH, "activist_ready"),
    ("j188105", "赵磊", "M", Ethnicity.HAN, "candidate"),
]
