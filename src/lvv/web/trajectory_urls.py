from django.urls import path

from . import trajectory_views as views

app_name = "trajectories"
urlpatterns = [
    path("trajecten/", views.worklist, name="list"),
    path("trajecten/<int:pk>/", views.trajectory_detail, name="detail"),
    path("trajecten/<int:pk>/plaatsing/", views.placement_new, name="placement_new"),
    path("trajecten/<int:pk>/perspectief/", views.perspective_new, name="perspective_new"),
    path("trajecten/<int:pk>/instrumenten/", views.instruments_edit, name="instruments_edit"),
    path("trajecten/<int:pk>/uitstroom/", views.outflow_new, name="outflow_new"),
    path("trajecten/<int:pk>/besluit-ind/", views.ind_decision_new, name="ind_decision_new"),
    path("trajecten/<int:pk>/notitie/", views.note_new, name="note_new"),
    path("trajecten/<int:pk>/notities/<int:note_pk>/zichtbaarheid/", views.note_visibility, name="note_visibility"),
    path("trajecten/<int:pk>/document/", views.document_new, name="document_new"),
    path("trajecten/<int:pk>/documenten/<int:doc_pk>/", views.document_download, name="document_download"),
    path(
        "trajecten/<int:pk>/documenten/<int:doc_pk>/zichtbaarheid/",
        views.document_visibility,
        name="document_visibility",
    ),
    path("trajecten/<int:pk>/ngos/", views.assign_edit, name="assign_edit"),
]
