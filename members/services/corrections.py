"""Corrections: members never edit their official data; they propose, the secretary decides."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import CorrectionRequest, Member


def _as_json(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def correction_request(*, member: Member, proposed: dict, reason: str) -> CorrectionRequest:
    """Record the fields whose proposed value differs from the current one. Raises ValidationError
    when nothing changes, a field is not correctable, or a request is already pending."""
    unknown = set(proposed) - set(CorrectionRequest.CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be corrected this way: %(fields)s"), params={"fields": unknown})
    changes = {
        name: _as_json(value) for name, value in proposed.items() if _as_json(getattr(member, name)) != _as_json(value)
    }
    if not changes:
        raise ValidationError(_("Nothing differs from your current information."), code="no_change")
    if member.corrections.filter(status=CorrectionRequest.Status.PENDING).exists():
        raise ValidationError(
            _("You already have a correction waiting for the secretary; wait for the decision first."),
            code="pending",
        )
    return CorrectionRequest.objects.create(member=member, changes=changes, reason=reason)


@transaction.atomic
def correction_decide(*, request: CorrectionRequest, approve: bool, decided_by, reason: str = "") -> CorrectionRequest:
    """Approve (apply the values to the member, through full validation) or reject with a reason."""
    if request.status != CorrectionRequest.Status.PENDING:
        raise ValidationError(_("This correction has already been decided."), code="decided")
    if approve:
        member = Member.objects.select_for_update().get(pk=request.member_id)
        if member.is_archived:
            raise ValidationError(_("The member has left; an archived record cannot be changed."), code="archived")
        for name, value in request.changes.items():
            field = Member._meta.get_field(name)
            setattr(member, name, field.to_python(value))
        member.full_clean(exclude=["photo"])
        member.save()
        request.status = CorrectionRequest.Status.APPROVED
    else:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the correction is rejected.")})
        request.status = CorrectionRequest.Status.REJECTED
        request.rejection_reason = reason.strip()
    request.decided_by = decided_by
    request.decided_at = timezone.now()
    request.save()
    return request
