from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("overleggen/", views.meeting_list, name="list"),
    path("overleggen/nieuw/", views.meeting_new, name="new"),
    path("overleggen/<int:pk>/", views.meeting_detail, name="detail"),
    path("overleggen/<int:pk>/agenda/aanvullen/", views.agenda_fill, name="agenda_fill"),
    path("overleggen/<int:pk>/agenda/toevoegen/", views.agenda_add, name="agenda_add"),
    path("overleggen/<int:pk>/afsluiten/", views.meeting_close, name="close"),
    path("overleggen/<int:pk>/agenda.pdf", views.agenda_pdf, name="agenda_pdf"),
    path("overleggen/<int:pk>/besluitenlijst.pdf", views.decisions_pdf, name="decisions_pdf"),
    path("overleggen/<int:pk>/punten/<int:item_pk>/", views.agenda_item, name="item"),
    path("overleggen/<int:pk>/punten/<int:item_pk>/verslag/", views.minutes_add, name="minutes_add"),
    path("overleggen/<int:pk>/punten/<int:item_pk>/verwijderen/", views.agenda_remove, name="agenda_remove"),
]
