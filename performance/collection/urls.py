"""URLs of the collection area."""

from django.urls import path

from performance.collection.views import activation, returns, rounds

urlpatterns = [
    path("returns/", returns.my_returns, name="my-returns"),
    path("returns/<int:round_id>/<int:indicator_id>/", returns.return_item, name="return-item"),
    path(
        "returns/<int:round_id>/<int:indicator_id>/preview/",
        returns.return_preview,
        name="return-preview",
    ),
    path("returns/download/", returns.returns_download, name="returns-download"),
    path("returns/upload/", returns.returns_upload, name="returns-upload"),
    path("activation/", activation.activation_queue, name="activation-queue"),
    path("activation/bulk/", activation.activation_bulk, name="activation-bulk"),
    path("activation/<int:value_id>/", activation.value_review, name="value-review"),
    path("values/<int:value_id>/correct/", activation.value_correct, name="value-correct"),
    path("collection/", rounds.round_list, name="round-list"),
    path("collection/<int:round_id>/", rounds.round_detail, name="round-detail"),
    path("collection/chase/", rounds.round_chase, name="round-chase"),
]
