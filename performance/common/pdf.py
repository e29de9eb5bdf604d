"""What WeasyPrint may read while it builds a PDF: our own static files, nothing else.

WeasyPrint's default URL fetcher follows any `src`/`href`/`url()` in the HTML and CSS: a
`file:///etc/passwd` stylesheet or an `http://169.254.169.254/` image would be read (or
requested) on the server. Every PDF is built with `static_only` instead (issue 14): it serves
files inside the static roots (STATIC_ROOT and STATICFILES_DIRS) and refuses everything else by
raising, which WeasyPrint logs as a failed fetch and goes on without the resource.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings


class RefusedFetch(PermissionError):
    """A PDF referred to something outside our static files."""


def _roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT), *(Path(d) for d in settings.STATICFILES_DIRS)]
    return [root.resolve() for root in roots]


def _inside(path: Path, root: Path) -> bool:
    return path.is_relative_to(root) and path.is_file()


def static_file(url: str) -> Path | None:
    """The static file `url` names, or None. Accepts `file:` URLs inside a static root and
    `/static/…` paths (as given, or joined onto the file base URL); never a host or a `..` out."""
    parts = urlsplit(url)
    if parts.scheme not in ("", "file") or parts.netloc not in ("", "localhost"):
        return None
    if parts.query or parts.fragment:
        return None
    path = Path(url2pathname(unquote(parts.path))).resolve()
    if parts.scheme == "file":
        for root in _roots():
            if _inside(path, root):
                return path
    # "/static/css/x.css" arrives as is, or as file:///static/css/x.css after joining onto the
    # base URL: look it up under each static root.
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    text = unquote(parts.path)
    if parts.scheme == "file" and text.startswith(str(Path(settings.BASE_DIR).resolve())):
        return None  # a project file outside the static roots
    if not text.startswith(prefix):
        return None
    relative = text[len(prefix) :]
    for root in _roots():
        candidate = (root / relative).resolve()
        if _inside(candidate, root):
            return candidate
    return None


def static_only(url: str, timeout: int = 10, ssl_context: Any = None, **_: Any) -> dict[str, Any]:
    """WeasyPrint url_fetcher: the bytes of one of our static files, or RefusedFetch."""
    path = static_file(url)
    if path is None:
        raise RefusedFetch(f"A PDF may only use the app's static files, not {url[:200]!r}.")
    return {
        "string": path.read_bytes(),
        "mime_type": mimetypes.guess_type(path.name)[0],
        "redirected_url": path.as_uri(),
    }
