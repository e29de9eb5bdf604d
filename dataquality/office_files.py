"""What an uploaded Word document or Excel workbook may not carry (issue 14).

Evidence and statements are read by other people on council PCs, so a file that can run code or
reach out when it is opened is refused, naming what was found: macros (a VBA project, Excel 4.0
macro sheets), ActiveX controls, a template fetched from elsewhere (`attachedTemplate` with
TargetMode External) and DDE (a `DDE`/`DDEAUTO` field in Word, a `ddeLink` in Excel).

Pure: bytes in, the refusal message (or None) out.
"""

from __future__ import annotations

import html
import io
import re
import zipfile

# The parts read to look inside; an honest part is far smaller (the upload itself is capped).
MAX_PART_BYTES = 20 * 1024 * 1024

_ADVICE = "Save a copy without them and upload that instead."
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>", re.IGNORECASE)
# Field code pieces in document order: a field starts, its instruction text, a field ends,
# or a simple field with its instruction in an attribute. Prefixes vary, so they are not fixed.
_FIELD_TOKEN = re.compile(
    r"<(?:\w+:)?fldChar\b[^>]*?fldCharType\s*=\s*[\"'](?P<char>begin|end)[\"']"
    r"|<(?:\w+:)?instrText\b[^>]*>(?P<text>[^<]*)<"
    r"|<(?:\w+:)?fldSimple\b[^>]*?\binstr\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')",
    re.IGNORECASE,
)
_DDE_FIELD = re.compile(r"^\s*DDE(?:AUTO)?\b", re.IGNORECASE)


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        data = part.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise ValueError(name)
    return data


def _field_instructions(xml: str) -> list[str]:
    """Every field instruction in a WordprocessingML part, pieces split over runs joined."""
    found: list[str] = []
    open_fields: list[list[str]] = []
    for match in _FIELD_TOKEN.finditer(xml):
        if match.group("char"):
            if match.group("char").lower() == "begin":
                open_fields.append([])
            elif open_fields:
                found.append("".join(open_fields.pop()))
        elif match.group("text") is not None:
            if open_fields:
                open_fields[-1].append(html.unescape(match.group("text")))
            else:
                found.append(html.unescape(match.group("text")))
        else:
            found.append(html.unescape(match.group("dq") or match.group("sq") or ""))
    found.extend("".join(pieces) for pieces in open_fields)
    return found


def _external_template(rels: bytes) -> bool:
    for tag in _RELATIONSHIP.findall(rels):
        kind = re.search(rb"\bType\s*=\s*[\"']([^\"']*)[\"']", tag)
        mode = re.search(rb"\bTargetMode\s*=\s*[\"']([^\"']*)[\"']", tag)
        if (
            kind
            and kind.group(1).lower().endswith(b"/attachedtemplate")
            and mode
            and mode.group(1).lower() == b"external"
        ):
            return True
    return False


def active_content(data: bytes) -> str | None:
    """Why an Office (zip) file is refused, or None if it carries nothing that runs or links out.
    Bytes that are not a zip are not this module's business: None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    lowered = {name.lower(): name for name in names}
    if any(name.endswith("vbaproject.bin") for name in lowered):
        return f"The file contains macros (a VBA project), which are not accepted. {_ADVICE}"
    if any(name.startswith("xl/macrosheets/") for name in lowered):
        return f"The workbook contains Excel 4.0 macro sheets, which are not accepted. {_ADVICE}"
    if any("/activex/" in f"/{name}" for name in lowered):
        return f"The file contains ActiveX controls, which are not accepted. {_ADVICE}"
    try:
        for low, name in lowered.items():
            if low.endswith(".rels") and _external_template(_read(archive, name)):
                return (
                    "The document is attached to a template on another computer or website "
                    "(an external template), which is not accepted. Save it as a plain "
                    "document (.docx) without the template and upload it again."
                )
            if low.startswith("xl/externallinks/") and b"ddelink" in _read(archive, name).lower():
                return (
                    "The workbook contains a DDE link (a formula that starts another program), "
                    f"which is not accepted. {_ADVICE}"
                )
            if low.startswith("word/") and low.endswith(".xml"):
                xml = _read(archive, name).decode("utf-8", errors="replace")
                if any(_DDE_FIELD.match(field) for field in _field_instructions(xml)):
                    return (
                        "The document contains a DDE field (a field that starts another "
                        f"program), which is not accepted. {_ADVICE}"
                    )
    except ValueError:
        return "A part of the file is too large to check once unpacked; it is not accepted."
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return "The file could not be unpacked to check it; it is not accepted."
    return None
