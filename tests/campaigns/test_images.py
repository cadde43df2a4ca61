"""core.images: real pictures pass (re-encoded, metadata gone, thumbnail ≤ 320 px);
anything else is refused with a clear message and nothing is written."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from dangjian.core import images
from tests.campaigns.conftest import image_bytes, upload


def test_png_is_reencoded_with_a_thumbnail():
    result = images.process_image(upload("a.png", image_bytes("PNG", (800, 600))))
    assert (result.width, result.height, result.extension) == (800, 600, "png")
    thumb = Image.open(io.BytesIO(result.thumbnail.read()))
    assert thumb.format == "JPEG" and thumb.size == (320, 240)


def test_jpeg_exif_is_stripped():
    raw = image_bytes("JPEG", (640, 1280), exif=True)
    assert Image.open(io.BytesIO(raw)).getexif().get(0x010F) == "SecretCam"
    result = images.process_image(upload("photo.jpg", raw))
    stored = Image.open(io.BytesIO(result.image.read()))
    assert stored.format == "JPEG" and stored.size == (640, 1280)
    assert not stored.getexif()
    assert b"SecretCam" not in result.image.read()
    thumb = Image.open(io.BytesIO(result.thumbnail.read()))
    assert thumb.size == (160, 320)


def test_gif_and_webp_accepted():
    assert images.process_image(upload("a.gif", image_bytes("GIF", (50, 40)))).extension == "png"
    assert images.process_image(upload("a.webp", image_bytes("WEBP", (50, 40)))).extension == (
        "webp"
    )


@pytest.mark.parametrize(
    "name,content",
    [
        ("notes.jpg", "这不是图片，只是文字。".encode()),
        ("empty.png", b""),
        ("half.png", image_bytes("PNG")[:60]),
        ("pic.bmp", None),
    ],
)
def test_not_images_refused(name, content):
    if content is None:
        buf = io.BytesIO()
        Image.new("RGB", (10, 10)).save(buf, "BMP")
        content = buf.getvalue()
    with pytest.raises(ValidationError) as exc:
        images.process_image(upload(name, content))
    assert exc.value.code == "not_image"
    assert name in exc.value.messages[0]


def test_size_and_pixel_limits(settings):
    settings.IMAGE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        images.process_image(upload("big.png", image_bytes("PNG", (800, 600))))
    assert exc.value.code == "file_size"
    settings.IMAGE_MAX_BYTES = 10 * 1024 * 1024
    settings.IMAGE_MAX_PIXELS = 10_000
    with pytest.raises(ValidationError) as exc:
        # A small file that decodes to a large picture (a decompression bomb in miniature).
        images.process_image(upload("bomb.png", image_bytes("PNG", (4000, 4000), (0, 0, 0))))
    assert exc.value.code == "too_many_pixels"
