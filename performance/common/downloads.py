"""A stored file served as HTTP asks for it: validators, conditional requests and byte ranges.

`file_response` sends a file that does not change under its name (a published PDF, a stored
draft PDF) with an ETag and Last-Modified, answers a conditional request with 304 Not Modified
(If-None-Match, If-Modified-Since; If-Match and If-Unmodified-Since with 412) and a single byte
range with 206 Partial Content (`Range: bytes=…`, honoured only when If-Range still matches), so
a PDF viewer can fetch the pages it shows first and a browser revalidates instead of
downloading again. Several ranges in one request get the whole file (RFC 9110 allows it); a
range past the end gets 416 with the file's length.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe, quote_etag

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_CHUNK = 64 * 1024
# A whole file up to this size may be sent from memory (one read); a larger one is streamed.
IN_MEMORY = 2 * 1024 * 1024


def byte_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(first, last) byte of a single `Range` header within `size`; None when it asks for the
    whole file (absent, malformed or several ranges); False when it cannot be satisfied."""
    match = _RANGE.match(header.strip().replace(" ", ""))
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:  # the last N bytes
        length = int(match[2])
        if length == 0:
            return False
        return max(size - length, 0), size - 1
    first = int(match[1])
    last = int(match[2]) if match[2] else size - 1
    if match[2] and first > last:
        return None  # invalid: ignored, as RFC 9110 says
    if first >= size:
        return False
    return first, min(last, size - 1)


class _Slice:
    """`length` bytes of a file from its current position, read in chunks."""

    def __init__(self, handle: BinaryIO, length: int) -> None:
        self.handle = handle
        self.left = length

    def __iter__(self) -> _Slice:
        return self

    def __next__(self) -> bytes:
        if self.left <= 0:
            self.handle.close()
            raise StopIteration
        chunk = self.handle.read(min(_CHUNK, self.left))
        if not chunk:
            self.handle.close()
            raise StopIteration
        self.left -= len(chunk)
        return chunk

    def close(self) -> None:
        self.handle.close()


def file_response(
    request: HttpRequest,
    path: Path,
    *,
    content_type: str,
    filename: str,
    etag: str,
    last_modified: dt.datetime | None = None,
    inline: bool = True,
    in_memory_up_to: int = 0,
) -> HttpResponse:
    """`path` as the response to `request`, with `etag` (unquoted: the file's hash) and
    `last_modified` (default: the file's modification time) as its validators. A whole file of
    at most `in_memory_up_to` bytes is read and sent in one piece; any other is streamed."""
    stat = path.stat()
    modified = int(last_modified.timestamp()) if last_modified else int(stat.st_mtime)
    quoted = quote_etag(etag)
    headers = {
        "ETag": quoted,
        "Last-Modified": http_date(modified),
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, no-cache",
    }
    conditional = get_conditional_response(request, etag=quoted, last_modified=modified)
    if conditional is not None:
        for name, value in headers.items():
            conditional[name] = value
        return conditional
    size = stat.st_size
    wanted = byte_range(request.headers.get("Range", ""), size)
    if_range = request.headers.get("If-Range")
    if wanted is not None and if_range and not _if_range_matches(if_range, quoted, modified):
        wanted = None  # the file changed since the client's first part: send it whole
    disposition = "inline" if inline else "attachment"
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None and size <= in_memory_up_to:
        response = HttpResponse(path.read_bytes(), content_type=content_type)
    elif wanted is None:
        response = FileResponse(path.open("rb"), content_type=content_type)
    else:
        first, last = wanted
        handle = path.open("rb")
        handle.seek(first)
        response = FileResponse(_Slice(handle, last - first + 1), content_type=content_type)
        response.status_code = 206
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    for name, value in headers.items():
        response[name] = value
    return response


def _if_range_matches(if_range: str, etag: str, modified: int) -> bool:
    if if_range.startswith(('"', "W/")):
        return if_range == etag  # strong comparison only
    since = parse_http_date_safe(if_range)
    return since is not None and since >= modified
