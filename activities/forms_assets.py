"""Forms for the asset registry. They validate input; activities/services/assets.py applies the rules
(the code's form and uniqueness, the reason of a hard-to-manage asset)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from branch.spreadsheets import MAX_UPLOAD_BYTES, file_format_of

from .models import Asset
from .services.assets import ASSET_FIELDS


def _model_field(name, **kwargs):
    return Asset._meta.get_field(name).formfield(**kwargs)


class AssetForm(forms.Form):
    """An asset's record. A plain Form, not a ModelForm, so that validating it never changes the asset
    before the service has checked the change."""

    code = _model_field("code")
    kind = _model_field("kind")
    station = _model_field("station")
    status = _model_field("status")
    hard_to_manage = _model_field("hard_to_manage")
    hard_reason = _model_field(
        "hard_reason", help_text=_("Required for a hard-to-manage asset; cleared when the asset is not one.")
    )

    def __init__(self, *args, asset: Asset | None = None, **kwargs):
        if asset is not None:
            kwargs.setdefault("initial", {name: getattr(asset, name) for name in ASSET_FIELDS})
        super().__init__(*args, **kwargs)


class AssetFilterForm(forms.Form):
    HARD_CHOICES = [("", "—"), ("yes", _("hard to manage")), ("no", _("not hard to manage"))]

    q = forms.CharField(label=_("code or station"), required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *Asset.Kind.choices], required=False)
    status = forms.ChoiceField(label=_("status"), choices=[("", "—"), *Asset.Status.choices], required=False)
    hard = forms.ChoiceField(label=_("hard to manage"), choices=HARD_CHOICES, required=False)


class AssetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Asset file"),
        help_text=_("An .xlsx or .csv file of at most 5 MB with the template's column names in its first row."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        file_format_of(upload.name)
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)d MB."), code="too_large", params={"limit": MAX_UPLOAD_BYTES >> 20}
            )
        return upload
