import importlib
import pkgutil

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # Every module in activities/sections/ adds its record-book sections through register_sections().
        from . import sections

        for module in pkgutil.iter_modules(sections.__path__):
            importlib.import_module(f"{sections.__name__}.{module.name}").register_sections()
