"""Parse a Chinese news report about a party meeting or activity into a structured record.

Main API: :func:`parse_report` (``str`` → ``dict`` shaped as in REPORT_SCHEMA.md, plus
optional ``planned_activities``, ``capabilities``, ``participant_groups``, ``confidence``,
``spans``, ``furniture`` and ``warnings``). :func:`decode_bytes` turns a file's bytes (UTF-8,
UTF-8 with BOM, GBK/GB18030, or a .docx) into text, raising :class:`InputError` with a clear
message otherwise. See docs/parser.md.
"""

from .core import SCHEMA_FIELDS, ParsedReport, parse, parse_report
from .decode import InputError, decode_bytes

__all__ = ["SCHEMA_FIELDS", "InputError", "ParsedReport", "decode_bytes", "parse", "parse_report"]
