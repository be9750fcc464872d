"""Validators for the identity data a member record carries."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# GB 11643-1999: 17 digits weighted by these factors, summed mod 11, pick the check character.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^[1-9]\d{16}[\dX]$")


def id_card_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a resident ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_id_card(value: str) -> str:
    return (value or "").strip().upper()


def id_card_birth_date(value: str) -> dt.date | None:
    """The birth date an ID number encodes, or None when it is not a real date."""
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def validate_id_card(value: str) -> None:
    """Check an 18-character resident ID number: shape, birth date and GB 11643 checksum."""
    value = normalize_id_card(value)
    if len(value) != 18:
        raise ValidationError(
            _("An ID card number has 18 characters; this one has %(length)d."),
            code="id_length",
            params={"length": len(value)},
        )
    if not _ID_SHAPE.match(value):
        raise ValidationError(
            _("An ID card number is 17 digits followed by a digit or X."),
            code="id_shape",
        )
    born = id_card_birth_date(value)
    if born is None or born.year < 1900 or born > timezone.localdate():
        raise ValidationError(
            _("The birth date in this ID card number (%(digits)s) is not a possible date."),
            code="id_birth_date",
            params={"digits": value[6:14]},
        )
    if id_card_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check digit of this ID card number is wrong; please check the number for a typo."),
            code="id_checksum",
        )


def validate_phone(value: str) -> None:
    """A mainland mobile number (11 digits, starting with 1) or a landline with area code."""
    if not re.fullmatch(r"1\d{10}|0\d{2,3}-?\d{7,8}", value or ""):
        raise ValidationError(
            _("Enter an 11-digit mobile number or a landline number with its area code."),
            code="phone",
        )
