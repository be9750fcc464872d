from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BranchConfig(AppConfig):
    name = "branch"
    verbose_name = _("Branch")
