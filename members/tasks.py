from celery import shared_task

from .models import Member
from .services.photos import member_make_thumbnail


@shared_task
def make_member_thumbnail(member_id: int) -> bool:
    """Build a member's photo thumbnail off the request; queued with transaction.on_commit."""
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return False
    return member_make_thumbnail(member=member)
