from django.urls import path

from . import views

app_name = "branch"
urlpatterns = [
    path("", views.branch_list, name="list"),
    path("<int:pk>/", views.overview, name="overview"),
]
