"""Checks for uploaded attachments: size, and that the bytes are what the name claims."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Extension → leading bytes a genuine file of that kind starts with.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "txt": (),
}
# The member of the zip an Office Open XML file of each kind must contain.
OOXML_PART = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
}
ALLOWED_EXTENSIONS = tuple(SIGNATURES)


def max_upload_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)


def validate_attachment(upload, *, allowed: tuple[str, ...] = ALLOWED_EXTENSIONS) -> str:
    """Refuse an upload that is too large or whose content is not its claimed kind.

    Returns the lower-case extension. Raises ValidationError with a message
    that names the file and the problem.
    """
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        raise ValidationError(
            _("“%(name)s” is not an accepted file type. Accepted: %(types)s.")
            % {"name": name, "types": ", ".join(allowed)},
            code="file_type",
        )
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="file_size",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    signatures = SIGNATURES[ext]
    genuine = bool(head) and (not signatures or any(head.startswith(s) for s in signatures))
    if genuine and ext == "txt":
        chunk = upload.read(4096)
        upload.seek(0)
        genuine = b"\x00" not in chunk
    if genuine and ext in OOXML_PART:
        try:
            with zipfile.ZipFile(upload) as archive:
                genuine = OOXML_PART[ext] in archive.namelist()
        except zipfile.BadZipFile:
            genuine = False
        upload.seek(0)
    if not genuine:
        raise ValidationError(
            _("“%(name)s” is not really a .%(ext)s file (its content does not match its name).")
            % {"name": name, "ext": ext},
            code="file_content",
        )
    return ext
