"""Upload rules: which file types exist, how a type is recognised by content, size limits.

Pure functions and declarations; no DB, no Reflex. The type of a file is decided by its
first bytes (the `filetype` package's magic numbers), never by the name or the browser's
Content-Type. Modules name the kinds they accept: `allowed_types=("pdf", "jpeg", "png")`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import filetype  # type: ignore[import-untyped]

from cabinet.errors import ValidationFailed

HEAD_BYTES = 64 * 1024  # enough for every matcher (OOXML looks ~6 KB into the zip)
MAX_FILENAME = 255


@dataclass(frozen=True)
class FileKind:
    code: str  # what modules pass in allowed_types
    mime: str
    extensions: tuple[str, ...]  # for the upload widget's accept list
    label: str  # what the hint shows


KINDS: dict[str, FileKind] = {
    k.code: k
    for k in (
        FileKind("pdf", "application/pdf", (".pdf",), "PDF"),
        FileKind("png", "image/png", (".png",), "PNG"),
        FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG"),
        FileKind("gif", "image/gif", (".gif",), "GIF"),
        FileKind("webp", "image/webp", (".webp",), "WEBP"),
        FileKind("tiff", "image/tiff", (".tif", ".tiff"), "TIFF"),
        FileKind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
            "DOCX",
        ),
        FileKind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
            "XLSX",
        ),
        FileKind("doc", "application/msword", (".doc",), "DOC"),
        FileKind("xls", "application/vnd.ms-excel", (".xls",), "XLS"),
        FileKind("odt", "application/vnd.oasis.opendocument.text", (".odt",), "ODT"),
        FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", (".ods",), "ODS"),
        FileKind("zip", "application/zip", (".zip",), "ZIP"),
    )
}
BY_MIME: dict[str, FileKind] = {k.mime: k for k in KINDS.values()}

DOCUMENTS = ("pdf", "docx", "xlsx", "doc", "xls", "odt", "ods")
IMAGES = ("png", "jpeg")
DEFAULT_TYPES = ("pdf", "png", "jpeg", "docx", "xlsx")


def kinds(allowed_types: Iterable[str]) -> list[FileKind]:
    """The FileKinds for `allowed_types`; an unknown code is a programming error."""
    out = []
    for code in allowed_types:
        if code not in KINDS:
            raise ValueError(f"unknown file kind {code!r}; known: {sorted(KINDS)}")
        out.append(KINDS[code])
    if not out:
        raise ValueError("allowed_types is empty")
    return out


def human_size(n: int) -> str:
    """Russian size with a comma decimal: 512 Б, 20 КБ, 1,5 МБ."""
    if n < 1024:
        return f"{n} Б"
    for unit, size in (("ГБ", 1024**3), ("МБ", 1024**2), ("КБ", 1024)):
        if n >= size:
            value = n / size
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{n} Б"  # pragma: no cover


def hint(allowed_types: Iterable[str], max_bytes: int) -> str:
    """The line under an upload widget: "PDF, PNG или JPEG, не больше 10 МБ"."""
    labels = [k.label for k in kinds(allowed_types)]
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} или {labels[-1]}"
    return f"{listed}, не больше {human_size(max_bytes)}"


def accept_map(allowed_types: Iterable[str]) -> dict[str, list[str]]:
    """react-dropzone's `accept`: {mime: [extensions]} (a convenience; the server decides)."""
    return {k.mime: list(k.extensions) for k in kinds(allowed_types)}


def too_large(max_bytes: int) -> ValidationFailed:
    return ValidationFailed(f"Файл больше {human_size(max_bytes)}.", field="file")


def check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise too_large(max_bytes)
    if size == 0:
        raise ValidationFailed("Файл пустой.", field="file")


def detect(head: bytes, allowed_types: Iterable[str]) -> FileKind:
    """The kind of a file from its first bytes; refuses what is not in `allowed_types`."""
    allowed = kinds(allowed_types)
    guess = filetype.guess(head[:HEAD_BYTES]) if head else None
    kind = BY_MIME.get(guess.mime) if guess is not None else None
    if kind is None or kind not in allowed:
        names = ", ".join(k.label for k in allowed)
        raise ValidationFailed(f"Недопустимый тип файла. Можно загрузить: {names}.", field="file")
    return kind


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str, kind: FileKind | None = None) -> str:
    """A display/download name: no path, no control or reserved characters, bounded length.

    The stored bytes never use this name (they live under their checksum).
    """
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" .")
    if not base:
        base = "file" + (kind.extensions[0] if kind else "")
    if len(base) > MAX_FILENAME:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            base = stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
        else:
            base = base[:MAX_FILENAME]
    return base


def storage_key(sha256_hex: str) -> str:
    """Where the bytes live under data_dir/files: "ab/abcdef..."."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256_hex):
        raise ValueError("not a sha256 hex digest")
    return f"{sha256_hex[:2]}/{sha256_hex}"
