"""Member photos: every upload is re-encoded (no EXIF, no GPS position) and gets a thumbnail."""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ..models import Member

THUMBNAIL_SIZE = (256, 256)
MAX_SIDE = 2400  # a bigger photo is scaled down: a record-book portrait needs no more
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


def clean_photo(upload) -> ContentFile:
    """Check an uploaded file is a real image of an allowed type and size, and return it re-encoded
    as JPEG without any metadata. Raises ValidationError (in Chinese) otherwise."""
    if upload.size > settings.HONGQI_PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is too large (%(size)s MB); the limit is %(limit)s MB."),
            code="photo_size",
            params={
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": settings.HONGQI_PHOTO_MAX_BYTES // 1024 // 1024,
            },
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in ALLOWED_FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG or WebP photo."), code="photo_type")
            image.load()
            # exif_transpose turns the picture upright, then a fresh image carries no metadata.
            upright = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationError(_("This file is not a readable image."), code="photo_unreadable") from None
    upright.thumbnail((MAX_SIDE, MAX_SIDE))
    buffer = io.BytesIO()
    upright.save(buffer, format="JPEG", quality=88)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def member_make_thumbnail(*, member: Member) -> bool:
    """Render the member's photo as a small JPEG in `photo_thumbnail`.

    Returns False when the member has no photo (and clears any old thumbnail)."""
    if not member.photo:
        if member.photo_thumbnail:
            member.photo_thumbnail.delete(save=False)
            Member.objects.filter(pk=member.pk).update(photo_thumbnail="")
        return False
    with member.photo.open("rb") as source, Image.open(source) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=85)
    if member.photo_thumbnail:
        member.photo_thumbnail.delete(save=False)
    member.photo_thumbnail.save(f"member-{member.pk}.jpg", ContentFile(buffer.getvalue()), save=False)
    # update() rather than save(): a thumbnail is derived data and should not add a history entry.
    Member.objects.filter(pk=member.pk).update(photo_thumbnail=member.photo_thumbnail.name)
    return True
