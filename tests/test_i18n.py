"""The Chinese catalog is complete, compiled, and covers every msgid in the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import dangjian

# Pure functions and files: .ci/run runs these in one phase only.
pytestmark = pytest.mark.once

LOCALE = Path(dangjian.__file__).parent / "locale"
PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def load(path):
    with path.open("rb") as fh:
        return read_po(fh)


def _key(value):
    """Plural entries come back as tuples from a .po and as lists from a .mo."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_every_message_is_translated():
    """Every entry has a Chinese translation and none is left fuzzy."""
    catalog = load(PO)
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))
    ]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_compiled_catalog_matches_the_source():
    """The .mo Django loads holds exactly the translations of the .po."""
    from babel.messages.mofile import read_mo

    with MO.open("rb") as fh:
        compiled = read_mo(fh)
    source = {_key(m.id): _key(m.string) for m in load(PO) if m.id}
    built = {_key(m.id): _key(m.string) for m in compiled if m.id}
    assert source, "the catalog is empty"
    assert built == source, "run `dangjian compilemessages` after editing django.po"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalog_covers_every_msgid_in_the_code(tmp_path):
    """makemessages over the code finds no msgid that the catalog lacks."""
    package = Path(dangjian.__file__).parent
    work = tmp_path / "dangjian"
    shutil.copytree(package, work, ignore=shutil.ignore_patterns("__pycache__", "static"))
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os;"
            "from django.conf import settings;"
            f"settings.configure(LOCALE_PATHS=[{str(work / 'locale')!r}], USE_I18N=True);"
            "django.setup();"
            "from django.core.management import call_command;"
            f"os.chdir({str(work)!r});"
            "call_command('makemessages', locale=['zh_Hans'], verbosity=0, no_obsolete=True)",
        ],
        check=True,
        capture_output=True,
    )
    extracted = {
        m.id for m in load(work / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po") if m.id
    }
    known = {m.id for m in load(PO) if m.id}
    missing = sorted(str(i) for i in extracted - known)
    assert not missing, f"run makemessages and translate: {missing[:20]}"


def test_django_serves_the_catalog():
    """With the default language active, Django's gettext returns the catalog's Chinese."""
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("party branch") == "党支部"
        assert translation.ngettext("%(n)s member", "%(n)s members", 5) % {"n": 5} == "共 5 名党员"
