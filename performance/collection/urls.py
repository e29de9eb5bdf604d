"""URLs of the collection area."""

from django.urls import path

from performance.collection import views

urlpatterns = [
    path("returns/", views.my_returns, name="my-returns"),
    path("returns/<int:round_id>/<int:indicator_id>/", views.return_item, name="return-item"),
    path(
        "returns/<int:round_id>/<int:indicator_id>/preview/",
        views.return_preview,
        name="return-preview",
    ),
    path("returns/download/", views.returns_download, name="returns-download"),
    path("returns/upload/", views.returns_upload, name="returns-upload"),
    path("activation/", views.activation_queue, name="activation-queue"),
    path("activation/bulk/", views.activation_bulk, name="activation-bulk"),
    path("activation/<int:value_id>/", views.value_review, name="value-review"),
    path("values/<int:value_id>/correct/", views.value_correct, name="value-correct"),
    path("collection/", views.round_list, name="round-list"),
    path("collection/<int:round_id>/", views.round_detail, name="round-detail"),
]
