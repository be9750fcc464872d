"""Member-side models, one module per subject; import them from here."""

from .development import ActivistReview, BranchReview, Development
from .people import CommitteeRole, Employee, Member, MemberQuerySet, Pairing, TeamLink, User
from .records import CorrectionRequest, StudyRecord

__all__ = [
    "ActivistReview",
    "BranchReview",
    "CommitteeRole",
    "CorrectionRequest",
    "Employee",
    "Development",
    "Member",
    "MemberQuerySet",
    "Pairing",
    "StudyRecord",
    "TeamLink",
    "User",
]
