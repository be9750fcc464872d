"""What happens in the branch, one module per subject; import the models from here."""

from .appeals import Appeal, AppealAttachment, Forum
from .assessment import (
    AssessmentItem,
    AssessmentPeriod,
    AssessmentScheme,
    Deduction,
    Grade,
    ItemScore,
    MemberScore,
    ScoreAdjustment,
)
from .care import CareOccasion, CareVisit
from .honors import BranchRule, Honor, ModelSelection, Nomination, Publicity
from .innovation import Innovation, InnovationAward, Patent
from .meetings import GuidanceVisit, Meeting, MeetingAttachment, MeetingAttendance
from .redflag import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment
from .service import Activity, ActivityAttendance, ActivityPhoto

__all__ = [
    "AssessmentItem",
    "AssessmentPeriod",
    "AssessmentScheme",
    "Deduction",
    "Grade",
    "ItemScore",
    "MemberScore",
    "ScoreAdjustment",
    "Activity",
    "ActivityAttendance",
    "ActivityPhoto",
    "Appeal",
    "AppealAttachment",
    "Asset",
    "AssignmentTarget",
    "BranchRule",
    "CareOccasion",
    "CareVisit",
    "Forum",
    "GuidanceVisit",
    "Honor",
    "Indicator",
    "Innovation",
    "InnovationAward",
    "Meeting",
    "MeetingAttachment",
    "MeetingAttendance",
    "ModelSelection",
    "Nomination",
    "Patent",
    "Publicity",
    "Reading",
    "RedFlagAssignment",
]
