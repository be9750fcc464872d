"""Study records: a member writes their own; a group leader or the secretary confirms or returns them."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..access import Actor
from ..models import Member, StudyRecord

EDITABLE_FIELDS = ("studied_on", "topic", "form", "hours", "notes", "attachment")


def can_review_study(actor: Actor, member: Member) -> bool:
    """The secretary reviews the whole branch, a group leader their group; nobody their own."""
    if actor.member is None or actor.member.pk == member.pk:
        return False
    if actor.is_secretary and member.branch_id == actor.branch_id:
        return True
    return actor.leads_group_id is not None and member.party_group_id == actor.leads_group_id


def _assign(record: StudyRecord, fields: dict) -> None:
    # save_form_data knows the form conventions for files: False clears the attachment, None keeps it.
    for name, value in fields.items():
        if name in EDITABLE_FIELDS:
            StudyRecord._meta.get_field(name).save_form_data(record, value)


def _check_date(studied_on) -> None:
    if studied_on > timezone.localdate():
        raise ValidationError({"studied_on": _("A study record cannot be dated in the future.")})


@transaction.atomic
def study_record_create(*, member: Member, **fields) -> StudyRecord:
    """Add a record to the member's own book, waiting for confirmation."""
    _check_date(fields["studied_on"])
    record = StudyRecord(member=member)
    _assign(record, fields)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def study_record_update(*, record: StudyRecord, **fields) -> StudyRecord:
    """Change a record that is not yet confirmed; a returned record goes back for confirmation."""
    if record.status == StudyRecord.Status.CONFIRMED:
        raise ValidationError(_("A confirmed study record can no longer be changed."), code="confirmed")
    _check_date(fields.get("studied_on", record.studied_on))
    _assign(record, fields)
    record.status = StudyRecord.Status.SUBMITTED
    record.return_reason = ""
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def study_record_review(*, actor: Actor, record: StudyRecord, confirm: bool, reason: str = "") -> StudyRecord:
    """Confirm a record, or return it with a reason. Raises PermissionDenied outside the reviewer's
    scope and ValidationError for a record already decided or a return without a reason."""
    if not can_review_study(actor, record.member):
        raise PermissionDenied
    if record.status != StudyRecord.Status.SUBMITTED:
        raise ValidationError(_("This study record has already been reviewed."), code="reviewed")
    if not confirm and not reason.strip():
        raise ValidationError({"reason": _("Say why the record is returned, so the member can fix it.")})
    record.status = StudyRecord.Status.CONFIRMED if confirm else StudyRecord.Status.RETURNED
    record.return_reason = "" if confirm else reason.strip()
    record.reviewed_by = actor.member
    record.reviewed_at = timezone.now()
    record.save()
    return record
