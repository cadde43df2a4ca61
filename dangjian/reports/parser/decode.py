"""Bytes → text for the CLI and the import screen: encoding detection and .docx extraction."""

from __future__ import annotations

import io
import zipfile

#: Files larger than this are refused before decoding.
MAX_BYTES = 20 * 1024 * 1024


class InputError(ValueError):
    """The input cannot be read as a report; the message says why, in plain words."""


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:20000]
    if not sample:
        return False
    bad = sum(
        1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0xE000 <= ord(ch) <= 0xF8FF
    )
    return bad / len(sample) > 0.01


def _docx_text(data: bytes) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise InputError("the file looks like a ZIP archive but cannot be opened") from e
    with zf:
        if "word/document.xml" not in zf.namelist():
            raise InputError("the file is a ZIP archive but not a Word .docx document")
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # malformed XML inside a .docx, etc.
        raise InputError("the Word document could not be read") from e
    paras = [para.text for para in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            paras.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(paras)


def decode_bytes(data: bytes) -> str:
    """Decode a report file: .docx, UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK."""
    if len(data) > MAX_BYTES:
        raise InputError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if data[:5] == b"%PDF-" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            "PDF and old .doc files are not supported; save the report as .txt or .docx"
        )
    if data.startswith(b"PK\x03\x04"):
        return _docx_text(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise InputError("the file has a UTF-16 mark but is not valid UTF-16") from e
    elif data.startswith(b"\xef\xbb\xbf"):
        try:
            text = data[3:].decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError("the file has a UTF-8 mark but is not valid UTF-8") from e
    else:
        if b"\x00" in data[:4096]:
            raise InputError("the file is binary, not text (try a .txt or .docx file)")
        for enc in ("utf-8", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise InputError("the file is neither UTF-8 nor GBK/GB18030 text (or it is binary)")
    if _looks_binary(text):
        raise InputError("the file is binary, not text (try a .txt or .docx file)")
    return text
