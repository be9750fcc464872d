"""A year of the demo branch's member records: study, pairings, the three roles, the pipeline.

Dates count back from today, so the demo always shows a current year; a seeded generator picks
the rest, so a run on a given day always gives the same records. Each block is skipped when its
records exist already, so running seed_demo again changes nothing."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .demo import PAIRINGS, PIPELINE_PEOPLE, REGION_CODE, STUDY_TOPICS
from .models import ActivistReview, BranchReview, Development, Member, Pairing, StudyRecord
from .pipeline import add_months, half_year_of, quarter_of
from .validators import id_card_check_char


def build_member_records(*, branch, members: list[Member], today: dt.date) -> int:
    created = 0
    created += _service_roles(members)
    created += _study_records(members, today)
    created += _pairings(branch, members, today)
    created += _pipeline(branch, members, today)
    return created


def _service_roles(members) -> int:
    if any(m.is_publicist or m.is_liaison or m.is_server for m in members):
        return 0
    for index, member in enumerate(members):
        # Every member takes one of the three roles (三好), a few take two.
        member.is_publicist = index % 3 == 0 or index in (3, 8)
        member.is_liaison = index % 3 == 1
        member.is_server = index % 3 == 2 or index == 9
        member.save(update_fields=["is_publicist", "is_liaison", "is_server"])
    return len(members)


def _study_records(members, today) -> int:
    if StudyRecord.objects.filter(member__in=members).exists():
        return 0
    rng = random.Random(2017)
    leaders = {m.party_group_id: m for m in members if m.is_group_leader}
    secretary = members[0]
    now = timezone.now()
    records = []
    for member in members:
        for months_back in range(12, -1, -1):
            for _ in range(rng.choice((1, 1, 2))):
                day = add_months(today, -months_back).replace(day=rng.randint(1, 28))
                if day > today:
                    continue
                topic, form = rng.choice(STUDY_TOPICS)
                reviewer = leaders.get(member.party_group_id)
                if reviewer is None or reviewer.pk == member.pk:
                    reviewer = secretary
                # The last month is still being reviewed; one record in thirty was sent back.
                if months_back == 0:
                    status = StudyRecord.Status.SUBMITTED
                elif rng.random() < 1 / 30:
                    status = StudyRecord.Status.RETURNED
                else:
                    status = StudyRecord.Status.CONFIRMED
                records.append(
                    StudyRecord(
                        member=member,
                        studied_on=day,
                        topic=topic,
                        form=form,
                        hours=Decimal(rng.choice(("1.0", "1.5", "2.0", "2.0", "3.0", "4.0"))),
                        status=status,
                        reviewed_by=None if status == StudyRecord.Status.SUBMITTED else reviewer,
                        reviewed_at=None if status == StudyRecord.Status.SUBMITTED else now,
                        return_reason="请补充学习心得" if status == StudyRecord.Status.RETURNED else "",
                    )
                )
    bulk_create_with_history(records, StudyRecord, batch_size=500)
    return len(records)


def _pairings(branch, members, today) -> int:
    if Pairing.objects.filter(branch=branch).exists():
        return 0
    for mentor, partner, kind, goal in PAIRINGS:
        Pairing.objects.create(
            branch=branch,
            kind=kind,
            mentor=members[mentor],
            mentee=members[partner],
            goal=goal,
            started_on=add_months(today, -10 + mentor % 4),
        )
    return len(PAIRINGS)


def _person(branch, members, number, name, gender, ethnicity, index) -> Member:
    birth = dt.date(1996 + index, 3 + index, 10 + index)
    first17 = f"{REGION_CODE}{birth:%Y%m%d}{(400 + index) * 2 + (gender == 'M'):03d}"[:17]
    return Member.objects.create(
        branch=branch,
        name=name,
        gender=gender,
        ethnicity=ethnicity,
        birth_date=birth,
        employee_number=number,
        id_card_number=first17 + id_card_check_char(first17),
        status=Member.Status.APPLICANT,
        party_group=members[index % 3].party_group,
        work_team=members[index].work_team,
    )


def _pipeline(branch, members, today) -> int:
    if Development.objects.filter(member__branch=branch).exists():
        return 0
    created = 0
    contacts = [members[9], members[12], members[20], members[25]]
    sponsors = [members[1], members[8]]
    for index, (number, name, gender, ethnicity, stage) in enumerate(PIPELINE_PEOPLE):
        person = _person(branch, members, number, name, gender, ethnicity, index)
        S = Member.Status
        if stage == "applicant_late":
            # Applied six weeks ago and nobody has talked with them yet: shows as overdue.
            Development.objects.create(member=person, applied_on=today - dt.timedelta(days=42))
        elif stage == "applicant":
            Development.objects.create(
                member=person, applied_on=today - dt.timedelta(days=20), talked_on=today - dt.timedelta(days=6)
            )
        else:
            months = {"activist": 7, "activist_ready": 13, "candidate": 20}[stage]
            applied = add_months(today, -months - 2)
            dev = Development.objects.create(
                member=person,
                applied_on=applied,
                talked_on=applied + dt.timedelta(days=15),
                activist_on=add_months(today, -months),
            )
            dev.contacts.set(contacts[index % 2 * 2 : index % 2 * 2 + 2])
            for q_back in range(months // 3, 0, -1):
                day = add_months(today, -3 * q_back)
                for contact in dev.contacts.all():
                    ActivistReview.objects.create(
                        development=dev,
                        contact=contact,
                        quarter=quarter_of(day),
                        reviewed_on=day,
                        motive="入党动机端正，主动向党组织靠拢",
                        conduct="工作积极，在班组中起带头作用",
                    )
            for h_back in range(months // 6, 0, -1):
                day = add_months(today, -6 * h_back)
                BranchReview.objects.get_or_create(
                    development=dev,
                    half_year=half_year_of(day),
                    defaults={"reviewed_on": day, "conclusion": "考察合格，继续培养"},
                )
            person.status = S.ACTIVIST
            if stage == "candidate":
                dev.candidate_on = add_months(today, -months + 13)
                dev.political_review_on = dev.candidate_on + dt.timedelta(days=30)
                dev.training_days, dev.training_hours = 3, 24
                dev.save()
                dev.sponsors.set(sponsors)
                person.status = S.CANDIDATE
            person.save()
        created += 1
    for member in members:
        if member.status == Member.Status.PROBATIONARY:
            Development.objects.create(
                member=member,
                applied_on=add_months(member.joined_on, -30),
                talked_on=add_months(member.joined_on, -29),
                activist_on=add_months(member.joined_on, -26),
                candidate_on=add_months(member.joined_on, -6),
                political_review_on=add_months(member.joined_on, -4),
                training_days=3,
                training_hours=24,
                admitted_on=member.joined_on,
            )
            created += 1
    return created
