"""Checks for uploaded attachments, by content and not by name.

- size limit (``ATTACHMENT_MAX_BYTES``) and the leading bytes of the claimed type;
- Office Open XML (.docx/.xlsx/.pptx) is opened as a zip without extracting it:
  zip bombs are refused (``ATTACHMENT_MAX_MEMBERS`` members,
  ``ATTACHMENT_MAX_UNCOMPRESSED_BYTES`` in total, ``ATTACHMENT_MAX_RATIO`` per
  member), macros are refused (a ``vbaProject.bin`` part or a macro-enabled
  content type, i.e. a renamed .docm/.xlsm/.pptm), every XML part with a
  DOCTYPE or ENTITY declaration is refused (XXE, billion laughs), and so are
  relationships that load a template or object from outside (remote template
  injection);
- legacy OLE files (.doc/.xls/.ppt) are accepted by their signature only, and
  refused when their directory names a VBA project (macros);
- images (.png/.jpg/.gif) are decoded and encoded again with
  ``core.images.process_image`` (metadata and appended bytes dropped, pixel
  bomb refused); the upload's bytes are replaced by the re-encoded image.
"""

from __future__ import annotations

import re
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
IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "gif")
MACRO_CONTENT_TYPE = re.compile(rb"macroEnabled|vbaProject|vbaData", re.I)
XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
# Relationship types that make Office fetch something when the file is opened.
EXTERNAL_LOADS = re.compile(
    rb"<Relationship\b(?=[^>]*TargetMode=\"External\")"
    rb"(?=[^>]*Type=\"[^\"]*/(attachedTemplate|oleObject|subDocument|frame|package)\")[^>]*>",
    re.I,
)
OLE_VBA = "_VBA_PROJECT".encode("utf-16-le")


def max_upload_bytes() -> int:
    return getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _refused(name: str, reason: str, code: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” was refused: %(reason)s") % {"name": name, "reason": reason}, code=code
    )


def _xml_text(raw: bytes) -> bytes:
    """The XML as bytes a declaration search can read (UTF-16 parts are decoded)."""
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16", errors="replace").encode("utf-8")
    return raw


def check_ooxml(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse a zip bomb, macros, DTDs/entities and external loads in an OOXML file."""
    members = archive.infolist()
    if len(members) > _limit("ATTACHMENT_MAX_MEMBERS", 2000):
        raise _refused(name, _("it holds too many parts."), "zip_bomb")
    total = sum(m.file_size for m in members)
    if total > _limit("ATTACHMENT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024):
        raise _refused(name, _("it unpacks to more than the allowed size."), "zip_bomb")
    ratio = _limit("ATTACHMENT_MAX_RATIO", 100)
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > ratio * max(m.compress_size, 1):
            raise _refused(name, _("it is compressed suspiciously much."), "zip_bomb")
    for m in members:
        lower = m.filename.lower()
        if lower.endswith(("vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin")):
            raise _refused(name, _("it contains macros."), "macros")
        if not lower.endswith((".xml", ".rels")):
            continue
        with archive.open(m) as part:
            text = _xml_text(part.read())
        if lower == "[content_types].xml" and MACRO_CONTENT_TYPE.search(text):
            raise _refused(name, _("it contains macros."), "macros")
        if XML_DECLARATIONS.search(text):
            raise _refused(name, _("it contains XML declarations that are not allowed."), "xml")
        if lower.endswith(".rels") and EXTERNAL_LOADS.search(text):
            raise _refused(name, _("it loads content from outside the file."), "external")


def check_ole(upload, name: str) -> None:
    """Legacy .doc/.xls/.ppt: accepted by signature, refused when they hold a VBA project."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if OLE_VBA in data or OLE_VBA.upper() in data:
        raise _refused(name, _("it contains macros."), "macros")


def reencode_image(upload, name: str, ext: str) -> str:
    """Replace the upload's bytes with the re-encoded image; returns the stored extension."""
    from dangjian.core.images import process_image

    processed = process_image(upload)
    data = processed.image.read()
    target = upload.file if hasattr(upload, "file") else upload
    target.seek(0)
    target.write(data)
    target.truncate()
    target.seek(0)
    upload.size = len(data)
    new_ext = processed.extension
    if new_ext == "jpg" and ext == "jpeg":
        return ext
    if new_ext != ext:
        upload.name = f"{name.rsplit('.', 1)[0]}.{new_ext}"
    return new_ext


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
                if genuine:
                    check_ooxml(archive, name)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
            genuine = False
        except (OSError, ValueError):  # a corrupt member (bad CRC, truncated stream)
            genuine = False
        finally:
            upload.seek(0)
    if not genuine:
        raise ValidationError(
            _("“%(name)s” is not really a .%(ext)s file (its content does not match its name).")
            % {"name": name, "ext": ext},
            code="file_content",
        )
    if ext in ("doc", "xls", "ppt"):
        check_ole(upload, name)
    if ext in IMAGE_EXTENSIONS:
        ext = reencode_image(upload, name, ext)
    return ext
