"""Upload rules: type by content (not by name), size limits, hints, names, storage keys."""

from __future__ import annotations

import io
import zipfile

import pytest

from cabinet.errors import ValidationFailed
from cabinet.files import rules

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def ooxml(folder: str) -> bytes:
    """A minimal Office Open XML zip: [Content_Types].xml first, then the part folder."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr(f"{folder}/document.xml", "<doc/>")
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (PDF, "pdf"),
        (PNG, "png"),
        (JPEG, "jpeg"),
        (ooxml("word"), "docx"),
        (ooxml("xl"), "xlsx"),
    ],
)
def test_type_is_recognised_by_content(data, code):
    kind = rules.detect(data, rules.DEFAULT_TYPES)
    assert kind.code == code
    assert kind.mime == rules.KINDS[code].mime


@pytest.mark.parametrize(
    ("data", "allowed"),
    [
        (b"MZ\x90\x00" + b"\x00" * 200, rules.DEFAULT_TYPES),  # a Windows executable
        (b"<html><script>alert(1)</script></html>", rules.DEFAULT_TYPES),
        (b"just text, named report.pdf", ("pdf",)),
        (PNG, ("pdf",)),  # a real PNG where only PDF is allowed
        (ooxml("word"), ("xlsx",)),  # a DOCX where only XLSX is allowed
        (plain_zip(), ("docx", "xlsx")),  # a zip that is not an Office document
        (b"", rules.DEFAULT_TYPES),
    ],
)
def test_other_content_is_refused_whatever_the_name(data, allowed):
    with pytest.raises(ValidationFailed) as err:
        rules.detect(data, allowed)
    assert err.value.field == "file"
    assert "Недопустимый тип файла" in err.value.message


def test_refusal_names_the_allowed_types():
    with pytest.raises(ValidationFailed) as err:
        rules.detect(b"nope", ("pdf", "jpeg"))
    assert err.value.message == "Недопустимый тип файла. Можно загрузить: PDF, JPEG."


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        rules.detect(PDF, ("exe",))
    with pytest.raises(ValueError):
        rules.kinds([])


@pytest.mark.parametrize(("size", "ok"), [(1, True), (1000, True), (1001, False)])
def test_size_limit_is_inclusive(size, ok):
    if ok:
        rules.check_size(size, 1000)
    else:
        with pytest.raises(ValidationFailed) as err:
            rules.check_size(size, 1000)
        assert err.value.message == "Файл больше 1000 Б."


def test_empty_file_is_refused():
    with pytest.raises(ValidationFailed, match="пустой"):
        rules.check_size(0, 1000)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (512, "512 Б"),
        (2048, "2 КБ"),
        (1536 * 1024, "1,5 МБ"),
        (10 * 1024 * 1024, "10 МБ"),
        (25 * 1024 * 1024, "25 МБ"),
        (3 * 1024**3, "3 ГБ"),
    ],
)
def test_human_size_is_russian(n, text):
    assert rules.human_size(n) == text


def test_hint_lists_types_and_limit():
    assert (
        rules.hint(("pdf", "png", "jpeg"), 10 * 1024 * 1024) == "PDF, PNG или JPEG, не больше 10 МБ"
    )
    assert rules.hint(("pdf",), 512 * 1024) == "PDF, не больше 512 КБ"


def test_accept_map_is_for_the_browser_dialog():
    assert rules.accept_map(("pdf", "jpeg")) == {
        "application/pdf": [".pdf"],
        "image/jpeg": [".jpg", ".jpeg"],
    }


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("Договор №5.pdf", "Договор №5.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\скан.png", "скан.png"),
        ("a\x00b<>:|?.pdf", "a_b_.pdf"),
        ("...", "file.pdf"),
        ("", "file.pdf"),
    ],
)
def test_filenames_are_made_safe(name, safe):
    assert rules.safe_filename(name, rules.KINDS["pdf"]) == safe


def test_long_filename_keeps_its_extension():
    name = rules.safe_filename("я" * 400 + ".xlsx")
    assert len(name) == rules.MAX_FILENAME
    assert name.endswith(".xlsx")


def test_storage_key_is_two_level_by_checksum():
    sha = "ab" + "0" * 62
    assert rules.storage_key(sha) == f"ab/{sha}"
    with pytest.raises(ValueError):
        rules.storage_key("../../x")
