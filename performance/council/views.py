"""Manage › Council workbook (issue 18): download the council or an empty template, upload a
workbook, see what it would create and change (or its problems by sheet, row and column) and
only then import it.

The upload is kept in a private folder of the server under a random token that the session
holds, so the preview and the import read the same file; the import checks it all again (the
council may have changed meanwhile), and writes it in one transaction or not at all.
"""

from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from performance.common.forms import error_summary
from performance.council import exports, imports, jobs
from performance.council import sheets as council_sheets
from performance.council.forms import CouncilUploadForm
from performance.manage.views.common import officer_required

SESSION_KEY = "summit_council_upload"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_ERROR = re.compile(r"Sheet (?P<sheet>[^,:]+)[,:] ?(?P<rest>.*)")


def _kept(request: HttpRequest) -> Path | None:
    """The workbook this session uploaded, if it is still there."""
    data = request.session.get(SESSION_KEY) or {}
    return jobs.workbook(data.get("token", ""))


def _forget(request: HttpRequest, *, keep: bool = False) -> None:
    data = request.session.pop(SESSION_KEY, None) or {}
    if not keep:
        jobs.forget(data.get("token", ""))


def by_sheet(errors: list[str]) -> list[tuple[str, list[str]]]:
    """Errors grouped under their sheet (in the workbook's order), the file's own first."""
    groups: dict[str, list[str]] = {}
    for error in errors:
        match = _SHEET_ERROR.fullmatch(error)
        sheet, rest = (match["sheet"], match["rest"]) if match else ("The workbook", error)
        groups.setdefault(sheet, []).append(rest[:1].upper() + rest[1:])
    order = ["The workbook", *council_sheets.names()]
    return sorted(groups.items(), key=lambda item: order.index(item[0]) if item[0] in order else 99)


@require_GET
@officer_required
def council(request: HttpRequest) -> HttpResponse:
    context = {"form": CouncilUploadForm(), "error_list": [], "sheets": council_sheets.names()}
    return render(request, "performance/manage/council_workbook.html", context)


@require_GET
@officer_required
def council_download(request: HttpRequest) -> HttpResponse:
    stream = io.BytesIO()
    exports.export_council(stream)
    stream.seek(0)
    name = f"council-{timezone.localdate():%Y-%m-%d}.xlsx"
    return FileResponse(stream, as_attachment=True, filename=name, content_type=XLSX)


@require_GET
@officer_required
def council_template(request: HttpRequest) -> HttpResponse:
    stream = io.BytesIO()
    exports.write_template(stream)
    stream.seek(0)
    return FileResponse(
        stream, as_attachment=True, filename="council-workbook-template.xlsx", content_type=XLSX
    )


@require_POST
@officer_required
def council_check(request: HttpRequest) -> HttpResponse:
    """Keep the upload and show what importing it would do (a dry run), or its problems."""
    form = CouncilUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {
            "form": form,
            "error_list": error_summary(form),
            "sheets": council_sheets.names(),
        }
        return render(request, "performance/manage/council_workbook.html", context, status=400)
    _forget(request)
    upload = form.cleaned_data["file"]
    token = secrets.token_urlsafe(24)
    name = Path(upload.name).name or "council.xlsx"
    if not name.lower().endswith(".xlsx"):
        name = "council.xlsx"
    folder = jobs.uploads() / token
    folder.mkdir(mode=0o700)
    with (folder / name).open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    request.session[SESSION_KEY] = {"token": token, "name": name}
    return _preview(request, folder / name)


def _preview(request: HttpRequest, path: Path) -> HttpResponse:
    errors: list[str] = []
    result = None
    try:
        result = imports.import_council(path=path, actor=request.user, dry_run=True)
    except imports.ImportRejected as rejected:
        errors = rejected.errors
        _forget(request)
    count = len(errors)
    context = {
        "name": path.name,
        "result": result,
        "rows": list(result.sheets.items()) if result else [],
        "groups": by_sheet(errors),
        "error_count": count,
        "error_list": (
            [("problems", f"Nothing can be imported: {count} problem{'s' if count != 1 else ''}.")]
            if errors
            else []
        ),
    }
    template = "performance/manage/council_preview.html"
    return render(request, template, context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@officer_required
def council_import(request: HttpRequest) -> HttpResponse:
    """GET: the preview of the kept upload again. POST: import it (checked again)."""
    path = _kept(request)
    if path is None:
        messages.info(request, "There is no checked workbook waiting: upload it again.")
        return redirect("performance:manage-council")
    if request.method == "GET":
        return _preview(request, path)
    if path.stat().st_size > jobs.large():
        # A large workbook: a worker imports it, and its page says how it went.
        token = request.session[SESSION_KEY]["token"]
        jobs.queue(token, name=path.name, actor_id=request.user.pk)
        _forget(request, keep=True)
        return redirect("performance:manage-council-job", token=token)
    try:
        result = imports.import_council(path=path, actor=request.user)
    except imports.ImportRejected:
        # The council changed since the preview: show the problems now found.
        return _preview(request, path)
    _forget(request)
    summary = " ".join(result.lines())
    if result.changed:
        messages.success(request, f"Imported {path.name}. {summary}")
    else:
        messages.info(request, f"{path.name} changes nothing: Summit already holds it. {summary}")
    return redirect("performance:manage-council")


@require_GET
@officer_required
def council_job(request: HttpRequest, token: str) -> HttpResponse:
    """The state of a workbook a worker imports: queued, running, done or failed."""
    found = jobs.state(token)
    if found is None:
        raise Http404("No such import.")
    errors = list(found.get("errors", []))
    context = {
        "job": found,
        "waiting": found.get("state") in ("queued", "running"),
        "groups": by_sheet(errors),
        "error_count": len(errors),
    }
    return render(request, "performance/manage/council_job.html", context)
