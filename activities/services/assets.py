"""The registry of wells and equipment (红旗井、红旗设备 start here): adding and changing assets.

Every write to an asset goes through this module or through the import (activities/resources.py,
which applies the same rules to every row), so the rules live in one place:

- The code is the asset's name in the field, e.g. J188-12, unique within the branch. It is stored as
  people mean it however it was typed: full-width characters and dashes folded (Ｊ188－12, J188—12),
  spaces dropped, letters in upper case (j188-12). Lookups use the same form.
- A hard-to-manage asset (难管) says why; an asset that is not hard to manage keeps no reason.

History is kept by django-simple-history on every save.
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from branch.models import Branch

from ..models import Asset

ASSET_FIELDS = ("code", "kind", "station", "status", "hard_to_manage", "hard_reason")

_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−－﹣"), "-")

REASON_REQUIRED = _("Say why the asset is hard to manage.")


def normalize_asset_code(code: str) -> str:
    """J188-12 however it was typed: NFKC (full-width to half-width), any dash as "-", no spaces,
    letters in upper case."""
    text = unicodedata.normalize("NFKC", code or "").translate(_DASHES)
    return re.sub(r"\s+", "", text).upper()


def normalize_station(station: str) -> str:
    return " ".join((station or "").split())


def clean_hard_reason(*, hard_to_manage: bool, hard_reason: str) -> str:
    """The reason to store: trimmed, and empty for an asset that is not hard to manage. Raises
    ValidationError (code "reason_required") for a hard-to-manage asset without one."""
    reason = " ".join((hard_reason or "").split())
    if not hard_to_manage:
        return ""
    if not reason:
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    return reason


@transaction.atomic
def asset_create(
    *,
    branch: Branch,
    code: str,
    kind: str,
    station: str = "",
    status: str = Asset.Status.IN_SERVICE,
    hard_to_manage: bool = False,
    hard_reason: str = "",
) -> Asset:
    """Add an asset to the branch. Raises ValidationError (by field) when a rule or a field fails."""
    asset = Asset(branch=branch)
    return _save(
        asset,
        code=code,
        kind=kind,
        station=station,
        status=status,
        hard_to_manage=hard_to_manage,
        hard_reason=hard_reason,
    )


@transaction.atomic
def asset_update(*, asset: Asset, **fields) -> Asset:
    """Change any of ASSET_FIELDS. Raises ValidationError (by field) when a rule or a field fails."""
    if unknown := set(fields) - set(ASSET_FIELDS):
        raise TypeError(f"asset_update() cannot change {', '.join(sorted(unknown))}")
    return _save(asset, **fields)


def _save(asset: Asset, **fields) -> Asset:
    for name, value in fields.items():
        setattr(asset, name, value)
    asset.code = normalize_asset_code(asset.code)
    asset.station = normalize_station(asset.station)
    try:
        asset.hard_reason = clean_hard_reason(hard_to_manage=asset.hard_to_manage, hard_reason=asset.hard_reason)
    except ValidationError as exc:
        raise ValidationError({"hard_reason": exc.error_list}) from exc
    taken = Asset.objects.filter(branch_id=asset.branch_id, code=asset.code).exclude(pk=asset.pk)
    if asset.code and taken.exists():
        raise ValidationError(
            {
                "code": ValidationError(
                    _("The branch already has an asset with the code %(code)s."),
                    code="duplicate_code",
                    params={"code": asset.code},
                )
            }
        )
    asset.full_clean()
    asset.save()
    return asset
