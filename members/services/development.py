"""Recording steps of the development pipeline. Each function checks the rule that step must follow
and raises ValidationError, in Chinese, saying which rule was broken; nothing is saved then."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ActivistReview, BranchReview, Development, Member
from ..pipeline import ADULT_AGE, add_months, age_on, half_year_of, probation_end, quarter_of

S = Member.Status


def _not_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


def _not_before(day: dt.date, earlier: dt.date | None, field: str, what) -> None:
    if earlier is not None and day < earlier:
        raise ValidationError(
            {
                field: _("This date is before %(what)s (%(date)s); dates must follow each other.")
                % {"what": what, "date": earlier}
            }
        )


def _require_status(member: Member, *allowed) -> None:
    if member.status not in allowed:
        raise ValidationError(
            _("This step does not fit someone who is %(status)s.") % {"status": member.get_status_display()},
            code="status",
        )


def _full_members_of_branch(people, branch, field, *, count_min, count_max, person) -> None:
    people = list(people)
    if not count_min <= len(people) <= count_max:
        if count_min == count_max:
            message = _("Choose exactly %(n)d people.") % {"n": count_min}
        else:
            message = _("Choose %(min)d to %(max)d people.") % {"min": count_min, "max": count_max}
        raise ValidationError({field: message})
    for p in people:
        if p.pk == person.pk:
            raise ValidationError({field: _("A person cannot vouch for themself.")})
        if p.status != S.FULL or p.branch_id != branch.pk or p.is_archived:
            raise ValidationError({field: _("%(name)s is not a full member of this branch.") % {"name": p.name}})


@transaction.atomic
def development_apply(*, member: Member, applied_on: dt.date) -> Development:
    """Start the pipeline: the person handed in an application. They must be at least 18 then."""
    _not_future(applied_on, "applied_on")
    if age_on(member.birth_date, applied_on) < ADULT_AGE:
        raise ValidationError(
            {"applied_on": _("An applicant must be at least 18 years old on the day of application.")}
        )
    if Development.objects.filter(member=member).exists():
        raise ValidationError(_("This person already has a development record."), code="exists")
    member.status = S.APPLICANT
    member.save()
    return Development.objects.create(member=member, applied_on=applied_on)


@transaction.atomic
def development_record_talk(*, development: Development, talked_on: dt.date) -> Development:
    """The branch talked with the applicant. A talk later than the branch's limit is still recorded
    (it happened) and shows as late on the pipeline page."""
    _require_status(development.member, S.APPLICANT)
    _not_future(talked_on, "talked_on")
    _not_before(talked_on, development.applied_on, "talked_on", _("the application"))
    development.talked_on = talked_on
    development.save()
    return development


@transaction.atomic
def development_make_activist(*, development: Development, on: dt.date, contacts) -> Development:
    """The branch names the applicant an activist with one or two full members as contacts."""
    member = development.member
    _require_status(member, S.APPLICANT)
    if development.talked_on is None:
        raise ValidationError(_("Record the branch's talk with the applicant first."), code="no_talk")
    _not_future(on, "activist_on")
    _not_before(on, development.talked_on, "activist_on", _("the talk"))
    _full_members_of_branch(contacts, member.branch, "contacts", count_min=1, count_max=2, person=member)
    development.activist_on = on
    development.save()
    development.contacts.set(contacts)
    member.status = S.ACTIVIST
    member.save()
    return development


@transaction.atomic
def development_add_contact_review(
    *, development: Development, contact: Member, reviewed_on: dt.date, motive: str, conduct: str
) -> ActivistReview:
    """A contact's quarterly review of motive and conduct; only the person's own contacts write one."""
    _require_status(development.member, S.ACTIVIST, S.CANDIDATE)
    if not development.contacts.filter(pk=contact.pk).exists():
        raise ValidationError({"contact": _("Only this person's contacts write their quarterly reviews.")})
    _not_future(reviewed_on, "reviewed_on")
    _not_before(reviewed_on, development.activist_on, "reviewed_on", _("becoming an activist"))
    review = ActivistReview(
        development=development,
        contact=contact,
        quarter=quarter_of(reviewed_on),
        reviewed_on=reviewed_on,
        motive=motive,
        conduct=conduct,
    )
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def development_add_branch_review(*, development: Development, reviewed_on: dt.date, conclusion: str) -> BranchReview:
    _require_status(development.member, S.ACTIVIST, S.CANDIDATE)
    _not_future(reviewed_on, "reviewed_on")
    _not_before(reviewed_on, development.activist_on, "reviewed_on", _("becoming an activist"))
    review = BranchReview(
        development=development, half_year=half_year_of(reviewed_on), reviewed_on=reviewed_on, conclusion=conclusion
    )
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def development_make_candidate(*, development: Development, on: dt.date) -> Development:
    """After at least a year (the branch's setting) as an activist, the branch names a candidate."""
    member = development.member
    _require_status(member, S.ACTIVIST)
    _not_future(on, "candidate_on")
    earliest = add_months(development.activist_on, member.branch.activist_min_months)
    if on < earliest:
        raise ValidationError(
            {
                "candidate_on": _(
                    "An activist must be observed for at least %(months)d months; the earliest date is %(date)s."
                )
                % {"months": member.branch.activist_min_months, "date": earliest}
            }
        )
    development.candidate_on = on
    development.save()
    member.status = S.CANDIDATE
    member.save()
    return development


@transaction.atomic
def development_record_preparation(
    *, development: Development, sponsors, political_review_on: dt.date | None, training_days: int, training_hours: int
) -> Development:
    """Sponsors, political review and training of a candidate, recorded as they happen."""
    member = development.member
    _require_status(member, S.CANDIDATE)
    sponsors = list(sponsors)
    if sponsors:
        _full_members_of_branch(sponsors, member.branch, "sponsors", count_min=2, count_max=2, person=member)
    if political_review_on:
        _not_future(political_review_on, "political_review_on")
        _not_before(political_review_on, development.candidate_on, "political_review_on", _("becoming a candidate"))
    development.political_review_on = political_review_on
    development.training_days = training_days
    development.training_hours = training_hours
    development.save()
    development.sponsors.set(sponsors)
    return development


@transaction.atomic
def development_admit(*, development: Development, admitted_on: dt.date) -> Development:
    """The branch general meeting admits the candidate as a probationary member."""
    member = development.member
    branch = member.branch
    _require_status(member, S.CANDIDATE)
    _not_future(admitted_on, "admitted_on")
    _not_before(admitted_on, development.candidate_on, "admitted_on", _("becoming a candidate"))
    problems = []
    if development.sponsors.filter(status=S.FULL).count() != 2:
        problems.append(_("two full members must be named as sponsors"))
    if development.political_review_on is None:
        problems.append(_("the political review must be passed"))
    if development.training_days < branch.training_min_days or development.training_hours < branch.training_min_hours:
        problems.append(
            _("training must last at least %(days)d days and %(hours)d class hours")
            % {"days": branch.training_min_days, "hours": branch.training_min_hours}
        )
    if problems:
        raise ValidationError(
            _("The candidate cannot be admitted yet: %(problems)s.") % {"problems": "; ".join(map(str, problems))},
            code="not_ready",
        )
    development.admitted_on = admitted_on
    development.save()
    member.status = S.PROBATIONARY
    member.joined_on = admitted_on
    member.save()
    return development


@transaction.atomic
def development_end_probation(
    *, development: Development, outcome: str, decided_on: dt.date, extension_months: int | None = None
) -> Development:
    """At the end of probation: full membership, one extension of 6–12 months, or cancellation."""
    member = development.member
    branch = member.branch
    Outcome = Development.ProbationOutcome
    _require_status(member, S.PROBATIONARY)
    _not_future(decided_on, "decided_on")
    end = probation_end(development, branch.probation_months)
    if outcome == Outcome.FULL:
        if decided_on < end:
            raise ValidationError(
                {
                    "decided_on": _("Probation ends on %(date)s; full membership cannot be decided earlier.")
                    % {"date": end}
                }
            )
        member.status = S.FULL
    elif outcome == Outcome.EXTENDED:
        if development.extension_months:
            raise ValidationError(_("Probation can be extended only once."), code="extended_twice")
        if (
            extension_months is None
            or not branch.extension_min_months <= extension_months <= branch.extension_max_months
        ):
            raise ValidationError(
                {
                    "extension_months": _("An extension lasts %(min)d to %(max)d months.")
                    % {"min": branch.extension_min_months, "max": branch.extension_max_months}
                }
            )
        development.extension_months = extension_months
    elif outcome == Outcome.CANCELLED:
        member.archived_on = decided_on
        member.archive_reason = Member.ArchiveReason.DROPPED
        member.archive_note = str(Outcome.CANCELLED.label)
    else:
        raise ValidationError({"outcome": _("Choose how probation ends.")})
    development.probation_outcome = outcome
    development.probation_decided_on = decided_on
    development.save()
    member.save()
    return development
