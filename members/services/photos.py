"""Writes to member records. Each function is one business action and keeps its rule in one place."""

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from .models import Member

THUMBNAIL_SIZE = (256, 256)


def member_make_thumbnail(*, member: Member) -> bool:
    """Render the member's photo as a small upright JPEG in `photo_thumbnail`.

    Returns False when the member has no photo (and clears any old thumbnail). The thumbnail is a
    fresh image, so it carries none of the original's EXIF data (camera, GPS position).
    """
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
