"""What happens in the branch, one module per subject; import the models from here."""

from .honors import Honor
from .meetings import GuidanceVisit, Meeting, MeetingAttachment, MeetingAttendance
from .redflag import Asset, AssignmentTarget, Indicator, Reading, RedFlagAssignment

__all__ = [
    "Asset",
    "AssignmentTarget",
    "GuidanceVisit",
    "Honor",
    "Indicator",
    "Meeting",
    "MeetingAttachment",
    "MeetingAttendance",
    "Reading",
    "RedFlagAssignment",
]
