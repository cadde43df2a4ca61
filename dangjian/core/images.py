"""Uploaded images: checked by their content, re-encoded, with a thumbnail.

``process_image`` reads an upload completely in memory before anything is
written: Pillow must recognize it (``Image.open`` + ``verify``) as one of the
allowed formats, its pixel count must stay under ``IMAGE_MAX_PIXELS`` (the
decompression-bomb guard, also applied as ``Image.MAX_IMAGE_PIXELS``) and its
size under ``IMAGE_MAX_BYTES``. The stored image is decoded and encoded again,
so EXIF (GPS position, camera serial …) and any other metadata or bytes
appended to the file are dropped; the EXIF orientation is applied first so
the photo stays upright. A caller saves the returned bytes; when the upload
is refused nothing has been written.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name → the extension the re-encoded file is stored with.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "png", "WEBP": "webp"}
THUMBNAIL_SIZE = 320


def max_image_bytes() -> int:
    return int(getattr(settings, "IMAGE_MAX_BYTES", 10 * 1024 * 1024))


def max_image_pixels() -> int:
    return int(getattr(settings, "IMAGE_MAX_PIXELS", 40_000_000))


@dataclass
class ProcessedImage:
    image: ContentFile
    thumbnail: ContentFile
    extension: str
    width: int
    height: int


def _refuse(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” is not an image that can be used. Upload a JPEG, PNG, GIF or WebP picture.")
        % {"name": name},
        code="not_image",
    )


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def process_image(upload, *, thumbnail_size: int = THUMBNAIL_SIZE) -> ProcessedImage:
    """Validate ``upload`` and return the re-encoded image and its thumbnail.

    Raises ValidationError (clear message naming the file) for anything that
    is not an allowed, sane image.
    """
    name = str(getattr(upload, "name", "") or "")[:100]
    limit = max_image_bytes()
    size = getattr(upload, "size", None)
    data = b""
    if size is None or size <= limit:
        data = _read(upload)
        size = len(data)
    if size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; pictures may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="file_size",
        )
    if not data:
        raise _refuse(name)
    pixels = max_image_pixels()
    Image.MAX_IMAGE_PIXELS = pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(ALLOWED_FORMATS)) as probe:
                fmt = probe.format
                probe.verify()
            if fmt not in ALLOWED_FORMATS:
                raise _refuse(name)
            with Image.open(io.BytesIO(data), formats=[fmt]) as img:
                width, height = img.size
                if width < 1 or height < 1 or width * height > pixels:
                    raise _too_large(name)
                img.load()
                img = ImageOps.exif_transpose(img)
                return _encode(img, fmt, thumbnail_size)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(name) from None


def _too_large(name: str) -> ValidationError:
    return ValidationError(
        _("“%(name)s” has too many pixels; pictures may have at most %(limit)s million.")
        % {"name": name, "limit": max_image_pixels() // 1_000_000},
        code="too_many_pixels",
    )


def _flatten(img: Image.Image) -> Image.Image:
    """RGB on a white background (JPEG has no transparency)."""
    if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _encode(img: Image.Image, fmt: str, thumbnail_size: int) -> ProcessedImage:
    ext = ALLOWED_FORMATS[fmt]
    out = io.BytesIO()
    if ext == "jpg":
        _flatten(img).save(out, "JPEG", quality=88, optimize=True)
    elif ext == "webp":
        keep_alpha = img.mode in ("RGBA", "LA", "P")
        img.convert("RGBA" if keep_alpha else "RGB").save(out, "WEBP", quality=88)
    else:
        if img.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            img = img.convert("RGBA")
        img.save(out, "PNG", optimize=True)
    thumb = _flatten(img)
    thumb.thumbnail((thumbnail_size, thumbnail_size), Image.Resampling.LANCZOS)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, "JPEG", quality=82, optimize=True)
    return ProcessedImage(
        image=ContentFile(out.getvalue()),
        thumbnail=ContentFile(thumb_out.getvalue()),
        extension=ext,
        width=img.width,
        height=img.height,
    )


CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def content_type_for(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return CONTENT_TYPES.get(ext, "application/octet-stream")
