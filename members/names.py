"""Personal names as the branch writes them.

Uyghur, Kazakh and other transliterated names join their parts with a middle dot (艾力·买买提).
People type it with whatever their input method offers, so every variant is folded to U+00B7 before a
name is stored or searched; otherwise the same person would exist twice and search would miss them.
"""

MIDDLE_DOT = "\u00b7"
# Characters input methods produce for the separator: bullet, katakana middle dot, hyphenation
# point, dot operator, full-width middle dot and the full stop some people use.
_DOT_VARIANTS = str.maketrans(dict.fromkeys("•・‧⋅･∙·᛫", MIDDLE_DOT))


def normalize_name(value: str) -> str:
    """Trim, fold dot variants to U+00B7 and drop spaces around the dot."""
    value = " ".join((value or "").split()).translate(_DOT_VARIANTS)
    return MIDDLE_DOT.join(part.strip() for part in value.split(MIDDLE_DOT))
