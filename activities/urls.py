from .views import assets, duties, meetings, redflag

app_name = "activities"
urlpatterns = meetings.urlpatterns + redflag.urlpatterns + assets.urlpatterns + duties.urlpatterns
