"""Included from config/urls.py at /exports/ in the "exports" namespace."""

from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("", views.index, name="index"),
    path("reports/<slug:identifier>/", views.export_form, name="exporter"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/status/", views.job_status, name="job_status"),
    path("jobs/<int:pk>/download/", views.download, name="download"),
    path("schedules/", views.schedule_list, name="schedules"),
    path("schedules/new/<slug:identifier>/", views.schedule_create, name="schedule_create"),
    path("schedules/<int:pk>/stop/", views.schedule_stop, name="schedule_stop"),
    path("schedules/<int:pk>/start/", views.schedule_start, name="schedule_start"),
    path("schedules/<int:pk>/delete/", views.schedule_delete, name="schedule_delete"),
]
