from django.urls import path

from .views import book, corrections, pipeline, roster, study, transfer

app_name = "members"
urlpatterns = [
    path("", roster.member_list, name="list"),
    path("new/", roster.member_create, name="create"),
    path("<int:pk>/", book.member_detail, name="detail"),
    path("<int:pk>/print/", book.book_print, name="print"),
    path("<int:pk>/edit/", roster.member_edit, name="edit"),
    path("<int:pk>/archive/", roster.member_archive_view, name="archive"),
    path("study/new/", study.study_add, name="study_add"),
    path("study/<int:pk>/edit/", study.study_edit, name="study_edit"),
    path("study/queue/", study.study_queue, name="study_queue"),
    path("study/<int:pk>/confirm/", study.study_confirm, name="study_confirm"),
    path("study/<int:pk>/return/", study.study_return, name="study_return"),
    path("pipeline/", pipeline.pipeline, name="pipeline"),
    path("<int:pk>/development/", pipeline.development_detail, name="development"),
    path("<int:pk>/development/<slug:action>/", pipeline.development_step, name="development_step"),
    path("corrections/new/", corrections.correction_request, name="correction_add"),
    path("corrections/", corrections.correction_list, name="corrections"),
    path(
        "corrections/<int:pk>/approve/",
        corrections.correction_decide,
        {"decision": "approve"},
        name="correction_approve",
    ),
    path(
        "corrections/<int:pk>/reject/",
        corrections.correction_decide,
        {"decision": "reject"},
        name="correction_reject",
    ),
]
urlpatterns += transfer.urlpatterns
