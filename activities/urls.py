from .views import appeals, assessment, assets, care, duties, meetings, recognition, redflag, service

app_name = "activities"
urlpatterns = (
    meetings.urlpatterns
    + redflag.urlpatterns
    + assets.urlpatterns
    + duties.urlpatterns
    + service.urlpatterns
    + appeals.urlpatterns
    + care.urlpatterns
    + recognition.urlpatterns
    + assessment.urlpatterns
)
