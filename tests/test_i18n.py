"""The Chinese catalogue: complete, up to date with the code, compiled, and used by the pages.

Hongqi is Chinese first (LANGUAGE_CODE zh-hans) and ships locale/zh_Hans/LC_MESSAGES/django.po with
its compiled django.mo. A user-facing string added to the code without a translation shows up in
English on a Chinese page; these tests catch that before a user does.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from members.models import Member
from tests.factories import MemberFactory

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"
FIX = "Run `make messages`, then translate every new or empty msgstr in locale/zh_Hans/LC_MESSAGES/django.po."

# The same ignores as the catalogue's makemessages run; tests and benchmarks hold no user-facing text.
IGNORE = [".venv/*", "static/vendor/*", "tests/*", "bench/*", "staticfiles/*"]
# Left out of the copy makemessages scans: not source, or ignored above anyway.
SKIP_TOP = {".venv", ".git", ".ci", ".pytest_cache", ".ruff_cache", "locale", "tests", "bench", "staticfiles", "media"}


# ---- a small .po reader (standard library only) -----------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def read_po(path: Path) -> list[Entry]:
    """Every entry of a .po file, the header (msgid "") included; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int | None] | None = None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            if target is not None and target[0] == "msgstr":
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(",") if flag.strip())
        elif line.startswith("#"):
            if target is not None and target[0] == "msgstr":
                finish()
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string continues nothing"
            _append(entry, target, ast.literal_eval(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: cannot read {raw!r}"
            keyword, index, value = match.groups()
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
                finish()
            if not entry.line:
                entry.line = number
            target = ("msgstr", int(index or 0)) if keyword.startswith("msgstr") else (keyword, None)
            _append(entry, target, ast.literal_eval(value))
    finish()
    return entries


def _append(entry: Entry, target: tuple[str, int | None], text: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def split_catalogue(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header's fields and the message entries."""
    entries = read_po(path)
    headers = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(headers) == 1, f'{path} must have exactly one header entry (msgid "")'
    fields = dict(line.split(":", 1) for line in headers[0].msgstr.get(0, "").splitlines() if ":" in line)
    return {k.strip(): v.strip() for k, v in fields.items()}, [e for e in entries if e is not headers[0]]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\(\w+\)[sdifr]|\{\w*\}", text))


def _require_gettext_tools():
    missing = [tool for tool in ("xgettext", "msgmerge", "msgfmt") if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"GNU gettext is needed to check the catalogue ({', '.join(missing)} missing): apt-get install gettext"
        )


# ---- the catalogue ------------------------------------------------------------------------------


def test_catalogue_header_is_valid():
    header, _ = split_catalogue(PO_FILE)
    assert header.get("Language") == "zh_Hans"
    assert header.get("Plural-Forms") == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in header.get("Content-Type", "")


def test_catalogue_is_complete():
    _, entries = split_catalogue(PO_FILE)
    assert entries, f"{PO_FILE} has no messages. {FIX}"
    empty = [e.msgid for e in entries if not e.msgstr or any(not s.strip() for s in e.msgstr.values())]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not empty, f"{len(empty)} message(s) have no Chinese translation: {empty[:20]}. {FIX}"
    assert not fuzzy, f"{len(fuzzy)} message(s) are marked fuzzy (check them, then drop the flag): {fuzzy[:20]}"


def test_translations_keep_their_placeholders():
    _, entries = split_catalogue(PO_FILE)
    broken = []
    for e in entries:
        # A plural translation may follow either English form (Chinese has one form for every count).
        allowed = {tuple(_placeholders(e.msgid)), tuple(_placeholders(e.msgid_plural or e.msgid))}
        broken += [(e.msgid, text) for text in e.msgstr.values() if tuple(_placeholders(text)) not in allowed]
    assert not broken, f"translations must keep every placeholder of the English text exactly: {broken}"


def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    """makemessages on a copy of the project extracts nothing the shipped catalogue lacks."""
    _require_gettext_tools()
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"

    def ignore(directory, names):
        skipped = {n for n in names if n == "__pycache__" or n.endswith((".sqlite3", ".pyc", ".mo", ".po"))}
        if Path(directory) == base:
            skipped |= SKIP_TOP & set(names)
        if Path(directory) == base / "static":
            skipped.add("vendor")
        return skipped

    shutil.copytree(base, copy, ignore=ignore)
    command = [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-obsolete", "--no-wrap"]
    for pattern in IGNORE:
        command += ["--ignore", pattern]
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"
    fresh = copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    assert fresh.exists(), f"makemessages wrote no catalogue:\n{result.stdout}\n{result.stderr}"

    extracted = {e.key: e for e in split_catalogue(fresh)[1]}
    shipped = {e.key for e in split_catalogue(PO_FILE)[1]}
    assert len(extracted) > 50, "makemessages found suspiciously few strings; is the copy complete?"
    new = sorted((f"{ctx}|{msgid}" if ctx else msgid) for (ctx, msgid) in extracted.keys() - shipped)
    assert not new, f"{len(new)} user-facing string(s) in the code are missing from the catalogue: {new[:20]}. {FIX}"


def test_compiled_catalogue_matches_the_po():
    """django.mo is what Django reads: every translation in the .po must come back from it unchanged."""
    assert MO_FILE.exists(), f"{MO_FILE} is missing. {FIX}"
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    _, entries = split_catalogue(PO_FILE)
    stale = []
    for e in entries:
        if e.msgid_plural is not None:  # one plural form in Chinese: msgstr[0] for every count
            if e.msgctxt is not None:
                got = compiled.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 1)
            else:
                got = compiled.ngettext(e.msgid, e.msgid_plural, 1)
            want = e.msgstr.get(0)
        else:
            got = compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else compiled.gettext(e.msgid)
            want = e.msgstr.get(0)
        want = want or e.msgid  # msgfmt leaves empty translations out (the completeness test reports them)
        if got != want:
            stale.append((e.msgid, want, got))
    assert not stale, (
        f"django.mo is older than django.po for {len(stale)} message(s), e.g. {stale[:5]}. "
        "Run `make messages` (it compiles too) and commit django.mo."
    )


def test_po_compiles_cleanly(tmp_path):
    _require_gettext_tools()
    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(PO_FILE)],  # noqa: S607
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"msgfmt rejects django.po:\n{result.stderr}"


# ---- the pages ----------------------------------------------------------------------------------


def test_login_page_is_chinese_by_default_and_english_on_request(client, db):
    url = reverse("login")
    html = client.get(url).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录红旗" in html
    assert "Log in" not in html

    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    assert "Log in to Hongqi" in html
    assert "登录" not in html


def test_branch_overview_speaks_chinese(client, secretary):
    client.force_login(secretary.user)
    url = reverse("branch:overview", args=[secretary.branch.pk])
    html = client.get(url).content.decode()
    assert '<html lang="zh-hans">' in html
    for label in ("党小组", "正式党员", "预备党员", "入党积极分子", "合计"):
        assert label in html, f"{label} missing from the overview"
    for english in ("Party group", "full member", "Total"):
        assert english not in html
    assert "未分组" not in html, "every member is in a party group, so there is no ungrouped row"

    MemberFactory(branch=secretary.branch, party_group=None, status=Member.Status.ACTIVIST)
    html = client.get(url).content.decode()
    assert "未分组" in html
    assert "No party group" not in html
