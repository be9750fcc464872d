"""The roster: creating, changing and archiving member records. History is kept by
django-simple-history on every save, so a move between groups or teams is never lost."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import CommitteeRole, Member, TeamLink
from ..tasks import make_member_thumbnail
from .photos import clean_photo


def _queue_thumbnail(member: Member) -> None:
    transaction.on_commit(lambda: make_member_thumbnail.delay(member.pk))


def _check_scope(member: Member) -> None:
    for name in ("party_group", "work_team"):
        related = getattr(member, name)
        if related is not None and related.branch_id != member.branch_id:
            raise ValidationError({name: _("Choose one of this branch's own groups and teams.")})


@transaction.atomic
def member_create(*, branch, photo=None, **fields) -> Member:
    member = Member(branch=branch, **fields)
    if photo:
        member.photo = clean_photo(photo)
    _check_scope(member)
    member.full_clean(exclude=["photo"])
    member.save()
    if photo:
        _queue_thumbnail(member)
    return member


@transaction.atomic
def member_update(*, member: Member, photo=None, remove_photo: bool = False, **fields) -> Member:
    if member.is_archived:
        raise ValidationError(_("An archived record cannot be changed."), code="archived")
    for name, value in fields.items():
        setattr(member, name, value)
    if photo:
        member.photo = clean_photo(photo)
    elif remove_photo:
        member.photo = ""
    _check_scope(member)
    member.full_clean(exclude=["photo"])
    member.save()
    if photo or remove_photo:
        _queue_thumbnail(member)
    return member


@transaction.atomic
def member_archive(*, member: Member, reason: str, left_on: dt.date, note: str = "") -> Member:
    """Archive a member who left (转出, died, expelled…): never deleted, their book stays readable.
    Their login is switched off and any committee seat, team link or group leadership ends."""
    if member.is_archived:
        raise ValidationError(_("This member is already archived."), code="archived")
    if reason not in Member.ArchiveReason.values:
        raise ValidationError({"archive_reason": _("Choose why the member left.")})
    if left_on > timezone.localdate():
        raise ValidationError({"archived_on": _("The date of leaving cannot be in the future.")})
    member.archived_on = left_on
    member.archive_reason = reason
    member.archive_note = note
    member.is_group_leader = False
    member.save()
    CommitteeRole.objects.filter(member=member, ended_on__isnull=True).update(ended_on=left_on)
    TeamLink.objects.filter(member=member, ended_on__isnull=True).update(ended_on=left_on)
    if member.user_id:
        member.user.is_active = False
        member.user.save(update_fields=["is_active"])
    return member
