"""Service activities: dedication days (党员奉献日), theme activities, topic classes (专题课堂) and
pairing sessions — creating and changing them, registering, taking attendance, adding photos.

Every write to an activity goes through this module, so its rules live in one place:

- Who: the secretary and the committee create and edit their branch's activities and add photos
  (MANAGE_ACTIVITIES). Attendance is taken by the committee for everyone and by a group leader for
  their own party group (TAKE_ATTENDANCE, scope from `access.attendance_scope`); a group leader may
  add photos of an activity they take attendance for. Members register themselves for a planned
  activity that has not started (REGISTER_FOR_ACTIVITY). PermissionDenied otherwise; views turn it
  into 403.
- An activity ends after it starts and lasts at most MAX_LENGTH (24 hours).
  A dedication day names its task; "other work" says what in the description. Only a topic class
  has a teacher, and it must have one; only a dedication day has a task.
- An activity that has not started cannot be marked held, nor have its attendance taken; a
  cancelled one takes no attendance, and one with attendees present cannot be cancelled.
  Taking attendance marks a planned activity held.
- Hours default to the activity's length; any other figure needs a reason (the record book must
  say why someone has more or fewer hours than the activity lasted). When the activity's times
  change, attendees with default hours follow the new length; figures with a reason stay.
- Edits to attendance are kept in history (django-simple-history): rows are updated or deleted one
  by one or through the history-writing bulk helpers, never behind its back.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branch.models import Branch
from members.access import Actor
from members.models import Member
from members.services.photos import THUMBNAIL_SIZE, clean_photo

from ..access import Can, attendance_scope, can
from ..models import Activity, ActivityAttendance, ActivityPhoto

Kind = Activity.Kind
State = Activity.State

MAX_LENGTH = dt.timedelta(hours=24)
ACTIVITY_FIELDS = (
    "kind",
    "title",
    "state",
    "starts_at",
    "ends_at",
    "place",
    "organiser",
    "task",
    "description",
    "teacher",
)


# ---- who may -----------------------------------------------------------------------------------


def may_manage(actor: Actor, activity_or_branch_id: Activity | int) -> bool:
    branch_id = getattr(activity_or_branch_id, "branch_id", activity_or_branch_id)
    return actor.member is not None and actor.branch_id == branch_id and can(actor, Can.MANAGE_ACTIVITIES)


def may_take_attendance(actor: Actor, activity: Activity) -> bool:
    return attendance_scope(actor, activity) is not False


def may_register(actor: Actor, activity: Activity) -> bool:
    return (
        actor.member is not None
        and actor.branch_id == activity.branch_id
        and can(actor, Can.REGISTER_FOR_ACTIVITY)
        and is_open_for_registration(activity)
    )


def is_open_for_registration(activity: Activity, now: dt.datetime | None = None) -> bool:
    return activity.state == State.PLANNED and activity.starts_at > (now or timezone.now())


def has_started(activity: Activity, now: dt.datetime | None = None) -> bool:
    return activity.starts_at <= (now or timezone.now())


def default_hours(activity: Activity) -> Decimal:
    """The activity's length in hours, to one decimal: what each attendee is credited by default."""
    return Decimal(str(activity.length_hours))


# ---- checks ------------------------------------------------------------------------------------


def _add(errors: dict, field: str, message, code: str, params: dict | None = None) -> None:
    errors.setdefault(field, []).append(ValidationError(message, code=code, params=params))


def _check(branch_id: int, fields: dict, *, attendees_present: bool) -> None:
    errors: dict[str, list] = {}
    kind, state = fields["kind"], fields["state"]
    starts_at, ends_at = fields["starts_at"], fields["ends_at"]
    if ends_at <= starts_at:
        _add(errors, "ends_at", _("An activity must end after it starts."), "ends_before_start")
    elif ends_at - starts_at > MAX_LENGTH:
        _add(errors, "ends_at", _("An activity lasts at most 24 hours; record a longer one day by day."), "too_long")
    if state == State.HELD and starts_at > timezone.now():
        _add(errors, "state", _("An activity that has not started yet cannot be marked as held."), "held_future")
    if state == State.CANCELLED and attendees_present:
        _add(
            errors,
            "state",
            _("Attendees are recorded as present, so the activity cannot be cancelled."),
            "cancel_attended",
        )
    organiser = fields["organiser"]
    if organiser.branch_id != branch_id or organiser.is_archived:
        _add(errors, "organiser", _("The organiser must be a current member of the branch."), "organiser")
    if kind == Kind.DEDICATION_DAY:
        if not fields["task"]:
            _add(errors, "task", _("Choose the task of the dedication day."), "task_missing")
        elif fields["task"] == Activity.Task.OTHER and not fields["description"].strip():
            _add(errors, "description", _("Say what the other work is."), "other_task")
    elif fields["task"]:
        _add(errors, "task", _("Only a dedication day has a task."), "task_not_allowed")
    if kind == Kind.TOPIC_CLASS and not fields["teacher"].strip():
        _add(errors, "teacher", _("A topic class needs its teacher."), "teacher_missing")
    elif kind != Kind.TOPIC_CLASS and fields["teacher"].strip():
        _add(errors, "teacher", _("Only a topic class has a teacher."), "teacher_not_allowed")
    if errors:
        raise ValidationError(errors)


def _require_manager(actor: Actor, branch_id: int) -> None:
    if not may_manage(actor, branch_id):
        raise PermissionDenied


# ---- activities --------------------------------------------------------------------------------


@transaction.atomic
def activity_create(
    *,
    actor: Actor,
    branch: Branch,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    organiser: Member,
    state: str = State.PLANNED,
    task: str = "",
    description: str = "",
    teacher: str = "",
) -> Activity:
    """Put an activity on the branch's calendar. Raises PermissionDenied when the actor may not
    manage the branch's activities, ValidationError (by field) when a rule above is broken."""
    _require_manager(actor, branch.pk)
    fields = {
        "kind": kind,
        "title": title,
        "state": state,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "place": place,
        "organiser": organiser,
        "task": task or "",
        "description": description or "",
        "teacher": teacher or "",
    }
    _check(branch.pk, fields, attendees_present=False)
    activity = Activity(branch=branch, **fields)
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def activity_update(*, actor: Actor, activity: Activity, **changes) -> Activity:
    """Change an activity. When its length changes, attendees credited with the default hours get the
    new length (those with a reason keep theirs). Raises as `activity_create`."""
    _require_manager(actor, activity.branch_id)
    unknown = set(changes) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"activity_update() got unexpected fields: {sorted(unknown)}")
    old_hours = default_hours(activity)
    fields = {name: changes.get(name, getattr(activity, name)) for name in ACTIVITY_FIELDS}
    for name in ("task", "description", "teacher"):
        fields[name] = fields[name] or ""
    present = activity.attendance.filter(present=True).exists()
    _check(activity.branch_id, fields, attendees_present=present)
    for name, value in fields.items():
        setattr(activity, name, value)
    activity.full_clean()
    activity.save()
    new_hours = default_hours(activity)
    if new_hours != old_hours:
        following = list(activity.attendance.filter(present=True, hours_reason=""))
        for row in following:
            row.hours = new_hours
        if following:
            bulk_update_with_history(following, ActivityAttendance, ["hours"])
    return activity


# ---- registration ------------------------------------------------------------------------------


@transaction.atomic
def activity_register(*, actor: Actor, activity: Activity) -> ActivityAttendance:
    """Register the actor for a planned activity that has not started. Registering twice changes
    nothing. PermissionDenied without the capability or outside the branch; ValidationError when
    registration is closed."""
    if actor.member is None or actor.branch_id != activity.branch_id or not can(actor, Can.REGISTER_FOR_ACTIVITY):
        raise PermissionDenied
    if not is_open_for_registration(activity):
        raise ValidationError(
            _("Registration is open only for planned activities that have not started."), code="closed"
        )
    row, created = ActivityAttendance.objects.get_or_create(
        activity=activity, member=actor.member, defaults={"registered": True}
    )
    if not created and not row.registered:
        row.registered = True
        row.save(update_fields=["registered"])
    return row


@transaction.atomic
def activity_unregister(*, actor: Actor, activity: Activity) -> None:
    """Withdraw the actor's registration while registration is open (the history keeps it)."""
    if actor.member is None or actor.branch_id != activity.branch_id or not can(actor, Can.REGISTER_FOR_ACTIVITY):
        raise PermissionDenied
    if not is_open_for_registration(activity):
        raise ValidationError(
            _("Registration is open only for planned activities that have not started."), code="closed"
        )
    for row in ActivityAttendance.objects.filter(activity=activity, member=actor.member, present=False):
        row.delete()


# ---- attendance --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """What the attendance taker says about one member."""

    present: bool
    hours: Decimal | None = None  # None: the activity's length
    hours_reason: str = ""


def _active_on(day: dt.date) -> Q:
    # A member who left before the day of the activity was no longer there.
    return Q(archived_on__isnull=True) | Q(archived_on__gte=day)


def attendance_members(activity: Activity, scope: int | bool = True) -> QuerySet[Member]:
    """Who is on the activity's checklist: the branch's party members still there on the day, and
    anyone already registered or recorded; narrowed to a party group when `scope` is its id."""
    day = timezone.localtime(activity.starts_at).date()
    expected = Q(branch_id=activity.branch_id, status__in=Member.PARTY_STATUSES) & _active_on(day)
    already = Q(pk__in=ActivityAttendance.objects.filter(activity_id=activity.pk).values("member_id"))
    members = Member.objects.filter(expected | already)
    if scope is not True:
        members = members.filter(party_group_id=scope)
    return members


def _hours_for(activity: Activity, member: Member, mark: Mark, errors: list) -> tuple[Decimal, str]:
    if not mark.present:
        return Decimal(0), ""
    length = default_hours(activity)
    hours = length if mark.hours is None else Decimal(mark.hours).quantize(Decimal("0.1"))
    reason = (mark.hours_reason or "").strip()
    if hours < 0:
        errors.append(
            ValidationError(
                _("%(name)s: hours cannot be negative."), code="hours_negative", params={"name": member.name}
            )
        )
    elif hours == length:
        reason = ""  # the default needs no reason
    elif not reason:
        message = (
            _("%(name)s: %(hours)s hours is more than the activity lasted (%(length)s hours); give a reason.")
            if hours > length
            else _("%(name)s: %(hours)s hours differs from the activity's length (%(length)s hours); give a reason.")
        )
        code = "hours_above_length" if hours > length else "hours_reason_missing"
        errors.append(
            ValidationError(message, code=code, params={"name": member.name, "hours": hours, "length": length})
        )
    return hours, reason


@transaction.atomic
def activity_take_attendance(*, actor: Actor, activity: Activity, marks: Mapping[int, Mark]) -> Activity:
    """Record present/absent and hours for the members in `marks` (member id → Mark); members left
    out keep what they had. Everyone in `marks` must be on the actor's part of the checklist
    (a group leader: their group). A member marked absent keeps their row only when they had
    registered. Marks a planned activity held.

    PermissionDenied when the actor may not take attendance here; ValidationError (nothing saved)
    when the activity has not started or is cancelled, someone is outside the checklist, or hours
    differ from the activity's length without a reason."""
    scope = attendance_scope(actor, activity)
    if scope is False:
        raise PermissionDenied
    if activity.state == State.CANCELLED:
        raise ValidationError(_("The activity was cancelled; it has no attendance."), code="cancelled")
    if not has_started(activity):
        raise ValidationError(_("Attendance can be taken once the activity has started."), code="not_started")
    members = {m.pk: m for m in attendance_members(activity, scope).filter(pk__in=list(marks))}
    if set(marks) - set(members):
        # No names: the ids may belong to people the recorder must not learn about.
        raise ValidationError(_("Only members on your checklist can be marked."), code="not_on_checklist")
    existing = {row.member_id: row for row in activity.attendance.filter(member_id__in=list(marks))}
    errors: list[ValidationError] = []
    new, changed, dropped = [], [], []
    for member_id, mark in marks.items():
        hours, reason = _hours_for(activity, members[member_id], mark, errors)
        row = existing.get(member_id)
        if row is None:
            if mark.present:
                new.append(
                    ActivityAttendance(
                        activity=activity, member_id=member_id, present=True, hours=hours, hours_reason=reason
                    )
                )
        elif not mark.present and not row.registered:
            dropped.append(row)
        elif (row.present, row.hours, row.hours_reason) != (mark.present, hours, reason):
            row.present, row.hours, row.hours_reason = mark.present, hours, reason
            changed.append(row)
    if errors:
        raise ValidationError(errors)
    if new:
        bulk_create_with_history(new, ActivityAttendance)
    if changed:
        bulk_update_with_history(changed, ActivityAttendance, ["present", "hours", "hours_reason"])
    for row in dropped:
        row.delete()  # one by one, so the history keeps who was taken off
    if activity.state == State.PLANNED:
        activity.state = State.HELD
        activity.save(update_fields=["state"])
    return activity


# ---- photos ------------------------------------------------------------------------------------


def may_add_photos(actor: Actor, activity: Activity) -> bool:
    return may_manage(actor, activity) or may_take_attendance(actor, activity)


def _thumbnail(content: ContentFile) -> ContentFile:
    content.seek(0)
    with Image.open(io.BytesIO(content.read())) as image:
        image = image.convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
    content.seek(0)
    return ContentFile(buffer.getvalue(), name=f"thumb-{content.name}")


@transaction.atomic
def activity_add_photo(*, actor: Actor, activity: Activity, upload, caption: str = "") -> ActivityPhoto:
    """Add a photo: checked and re-encoded as JPEG without EXIF (no GPS position leaves the phone),
    and a thumbnail. ValidationError (field "image") when the file is not a JPEG, PNG or WebP image
    or is larger than HONGQI_PHOTO_MAX_BYTES."""
    if not may_add_photos(actor, activity):
        raise PermissionDenied
    try:
        clean = clean_photo(upload)
    except ValidationError as error:
        raise ValidationError({"image": error.error_list}) from None
    # The photo is at most 2400 px a side once cleaned, so its thumbnail takes a few milliseconds:
    # made here rather than in a background task, the page shows it at once.
    thumbnail = _thumbnail(clean)
    photo = ActivityPhoto(activity=activity, caption=caption)
    photo.image.save(clean.name, clean, save=False)
    photo.thumbnail.save(clean.name, thumbnail, save=False)
    photo.save()
    return photo
