"""Pages for appeals. `urlpatterns` is included by activities/urls.py under the "activities" namespace."""

urlpatterns: list = []
