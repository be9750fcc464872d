import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members.names import normalize_name
from members.validators import id_card_check_char, validate_id_card, validate_phone
from tests.factories import valid_id_card

# A published sample number (GB 11643's worked example) with a correct check digit.
KNOWN_GOOD = "11010519491231002X"


def test_known_good_id_card_passes():
    validate_id_card(KNOWN_GOOD)
    validate_id_card(KNOWN_GOOD.lower())  # a lower-case x is the same number


def test_check_char_matches_the_standard_example():
    assert id_card_check_char(KNOWN_GOOD[:17]) == "X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("110105194912310021", "id_checksum"),  # last digit changed
        ("11010519491231002", "id_length"),  # 17 characters
        ("11010519491231002X1", "id_length"),  # 19 characters
        ("", "id_length"),
        ("01010519491231002X", "id_shape"),  # region code cannot start with 0
        ("1101051949123100AX", "id_shape"),  # letters inside
        ("110105194902300021", "id_birth_date"),  # 30 February
        ("110105194913010021", "id_birth_date"),  # month 13
        ("110105180001010021", "id_birth_date"),  # born 1800
    ],
)
def test_bad_id_cards_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_id_card(value)
    assert excinfo.value.code == code


def test_future_birth_date_is_refused():
    future = dt.date.today() + dt.timedelta(days=400)
    with pytest.raises(ValidationError) as excinfo:
        validate_id_card(valid_id_card(1, birth=future))
    assert excinfo.value.code == "id_birth_date"


def test_error_messages_are_chinese_by_default():
    with pytest.raises(ValidationError) as excinfo:
        validate_id_card("110105194912310021")
    assert "校验" in excinfo.value.messages[0]


@pytest.mark.parametrize("value", ["13912345678", "0990-6881234", "09906881234"])
def test_phone_numbers_accepted(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["1391234567", "23912345678", "phone"])
def test_bad_phone_numbers_refused(value):
    with pytest.raises(ValidationError):
        validate_phone(value)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("艾力·买买提", "艾力·买买提"),
        ("艾力•买买提", "艾力·买买提"),  # bullet
        ("艾力・买买提", "艾力·买买提"),  # katakana middle dot
        ("艾力 · 买买提 ", "艾力·买买提"),  # spaces around the dot
        ("  唐光辉", "唐光辉"),
    ],
)
def test_names_fold_dot_variants(typed, stored):
    assert normalize_name(typed) == stored
