"""GB/T 22239-2019 8.1.4.x / OWASP file upload: every upload is checked by its content.

The files are crafted here with zipfile and Pillow: genuine documents pass;
renamed files, macros, DTD/entity declarations (XXE), remote templates and
zip bombs are refused; images are re-encoded (metadata and trailing bytes
dropped); legacy OLE files pass by signature unless they hold a VBA project.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from dangjian.core.uploads import validate_attachment

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>会议纪要</w:t></w:r></w:p></w:body></w:document>"
)


def _docx(*, main=DOCX_MAIN, document=DOCUMENT, extra=None, name="纪要.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(main=main))
        z.writestr("word/document.xml", document)
        for part, data in (extra or {}).items():
            z.writestr(part, data)
    return SimpleUploadedFile(name, buffer.getvalue())


def _code(callable_):
    with pytest.raises(ValidationError) as caught:
        callable_()
    return caught.value.code


def test_genuine_docx_is_accepted():
    assert validate_attachment(_docx()) == "docx"


def test_upload_checked_by_content_not_by_name():
    fake = SimpleUploadedFile("报告.docx", b"MZ\x90\x00 this is an executable")
    assert _code(lambda: validate_attachment(fake)) == "file_content"
    assert _code(lambda: validate_attachment(SimpleUploadedFile("a.exe", b"MZ"))) == "file_type"
    zip_not_word = _docx(name="x.xlsx")  # a zip, but not a workbook
    assert _code(lambda: validate_attachment(zip_not_word)) == "file_content"


def test_size_limit_refuses_large_files():
    with override_settings(ATTACHMENT_MAX_BYTES=1000):
        big = SimpleUploadedFile("a.txt", b"x" * 1001)
        assert _code(lambda: validate_attachment(big)) == "file_size"


def test_ooxml_with_macros_refused():
    with_project = _docx(extra={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 vba"})
    assert _code(lambda: validate_attachment(with_project)) == "macros"
    renamed_docm = _docx(main=DOCM_MAIN)  # a .docm renamed to .docx
    assert _code(lambda: validate_attachment(renamed_docm)) == "macros"


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE lol [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
        "<!ENTITY x SYSTEM 'http://example.invalid/'>",
    ],
)
def test_ooxml_xml_with_doctype_or_entity_refused_xxe(declaration):
    document = DOCUMENT.replace("?>", "?>" + declaration, 1)
    assert _code(lambda: validate_attachment(_docx(document=document))) == "xml"


def test_ooxml_utf16_part_with_doctype_refused():
    document = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY e "e">]><x/>').encode(
        "utf-16"
    )
    assert _code(lambda: validate_attachment(_docx(document=document))) == "xml"


def test_ooxml_remote_template_refused():
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/attachedTemplate" Target="http://example.invalid/t.dotm" '
        'TargetMode="External"/></Relationships>'
    )
    upload = _docx(extra={"word/_rels/settings.xml.rels": rels})
    assert _code(lambda: validate_attachment(upload)) == "external"


def test_ooxml_external_hyperlink_is_fine():
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/hyperlink" Target="http://www.gov.cn/" TargetMode="External"/>'
        "</Relationships>"
    )
    assert validate_attachment(_docx(extra={"word/_rels/document.xml.rels": rels})) == "docx"


def test_zip_bomb_refused_by_compression_ratio():
    bomb = _docx(extra={"word/media/padding.bin": b"\x00" * (8 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    assert _code(lambda: validate_attachment(bomb)) == "zip_bomb"


def test_zip_bomb_refused_by_total_size_and_member_count():
    with override_settings(ATTACHMENT_MAX_UNCOMPRESSED_BYTES=10_000):
        upload = _docx(extra={"word/media/a.bin": bytes(range(256)) * 50})
        assert _code(lambda: validate_attachment(upload)) == "zip_bomb"
    with override_settings(ATTACHMENT_MAX_MEMBERS=10):
        parts = {f"word/media/{i}.bin": b"x" for i in range(20)}
        assert _code(lambda: validate_attachment(_docx(extra=parts))) == "zip_bomb"


def test_corrupt_zip_refused():
    good = _docx().read()
    broken = SimpleUploadedFile("x.docx", good[: len(good) // 2])
    assert _code(lambda: validate_attachment(broken)) == "file_content"


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def test_legacy_ole_accepted_by_signature_refused_with_vba():
    assert validate_attachment(SimpleUploadedFile("旧.doc", OLE + b"WordDocument")) == "doc"
    vba = OLE + "_VBA_PROJECT_CUR".encode("utf-16-le")
    assert _code(lambda: validate_attachment(SimpleUploadedFile("宏.xls", vba))) == "macros"


def _png_with_trailer() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue() + b"<script>alert(1)</script>"


def test_image_attachment_is_reencoded():
    upload = SimpleUploadedFile("照片.png", _png_with_trailer())
    assert validate_attachment(upload) == "png"
    upload.seek(0)
    data = upload.read()
    assert b"<script>" not in data
    assert upload.size == len(data)
    with Image.open(io.BytesIO(data)) as img:
        assert img.size == (40, 30)


def test_image_attachment_with_jpeg_exif_loses_metadata():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker-Secret"
    Image.new("RGB", (20, 20)).save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("p.jpeg", buffer.getvalue())
    assert validate_attachment(upload) == "jpeg"
    upload.seek(0)
    assert b"CameraMaker-Secret" not in upload.read()


def test_gif_attachment_is_stored_as_png():
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")
    upload = SimpleUploadedFile("动图.gif", buffer.getvalue())
    assert validate_attachment(upload) == "png"
    assert upload.name.endswith(".png")


def test_fake_image_refused():
    fake = SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"not really a png")
    assert _code(lambda: validate_attachment(fake)) == "not_image"
