"""Pages for recognition. `urlpatterns` is included by activities/urls.py under the "activities" namespace."""

urlpatterns: list = []
