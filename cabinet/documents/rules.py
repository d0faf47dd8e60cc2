"""Documents and certificates: search-term rules, labels, what the public QR page may show.

Prefix search runs as a range on the (organisation_id, number) index: `number >= p AND
number < p_next`, where p_next is p with its last character moved one code point up. The
columns compare byte-wise (UTF-8 byte order is code-point order; collation "C" on PostgreSQL),
so every string that starts with p — digits, Latin or Cyrillic — lies inside the range and
nothing else does. LIKE is not used: it cannot use the index under every collation.
No DB, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models.documents import DeliveryType, DocType

MAX_TERM = 40  # number/batch columns are 40 characters
_SURROGATES = range(0xD800, 0xE000)
_MAX_CP = 0x10FFFF


def normalise_term(text: str | None) -> str:
    """A typed number or batch as stored: trimmed, inner spaces removed, upper case, ≤ 40."""
    raw = "".join(str(text or "").split())
    return raw.upper()[:MAX_TERM]


def _next_code_point(cp: int) -> int | None:
    cp += 1
    if cp in _SURROGATES:
        cp = _SURROGATES.stop
    return cp if cp <= _MAX_CP else None


def prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string greater than every string starting with `prefix` (code-point order);
    None when there is none (the prefix is all U+10FFFF): then only `>= prefix` applies."""
    chars = list(prefix)
    while chars:
        nxt = _next_code_point(ord(chars[-1]))
        if nxt is not None:
            chars[-1] = chr(nxt)
            return "".join(chars)
        chars.pop()
    return None


@dataclass(frozen=True)
class TermRange:
    """How to match a column against a search term: exact, or the half-open prefix range."""

    exact: str | None = None
    low: str | None = None
    high: str | None = None  # None with low set: no upper bound

    @property
    def empty(self) -> bool:
        return self.exact is None and self.low is None


def term_range(text: str | None, *, exact: bool) -> TermRange:
    term = normalise_term(text)
    if not term:
        return TermRange()
    if exact:
        return TermRange(exact=term)
    return TermRange(low=term, high=prefix_upper_bound(term))


DOC_TYPE_LABELS: dict[str, tuple[str, str]] = {
    DocType.INVOICE: ("Счёт-фактура", "VAT invoice"),
    DocType.WAYBILL: ("Накладная (транспортная)", "Waybill"),
    DocType.UPD: ("УПД", "Universal transfer document"),
    DocType.TORG12: ("ТОРГ-12", "Goods delivery note"),
    DocType.ACT: ("Акт", "Act"),
    DocType.SPECIFICATION: ("Спецификация", "Specification"),
    DocType.CONTRACT: ("Договор", "Contract"),
    DocType.PACKING_LIST: ("Упаковочный лист", "Packing list"),
}

DELIVERY_LABELS: dict[str, tuple[str, str]] = {
    DeliveryType.RAIL: ("Ж/д транспорт", "Rail"),
    DeliveryType.ROAD: ("Автотранспорт", "Road"),
    DeliveryType.PICKUP: ("Самовывоз", "Pickup"),
    DeliveryType.SEA: ("Морской транспорт", "Sea"),
}

# What the public QR page may ever show: the product batch, never the buyer or prices.
PUBLIC_FIELDS: dict[str, tuple[str, str]] = {
    "product_name": ("Продукция", "Product"),
    "grade": ("Марка стали", "Steel grade"),
    "dimensions": ("Размеры", "Dimensions"),
    "standard": ("Стандарт", "Standard"),
    "batch": ("Партия", "Batch"),
    "heat": ("Плавка", "Heat"),
    "issued_on": ("Дата выдачи сертификата", "Certificate issued"),
    "number": ("Номер сертификата", "Certificate number"),
    "producer": ("Изготовитель", "Producer"),
}
# Shown on every public page whatever the producer chose (they identify the batch).
ALWAYS_PUBLIC = ("product_name", "batch", "producer", "issued_on")
# Groups of measured values the producer may publish (chemistry, mechanical properties).
PUBLIC_GROUPS: dict[str, tuple[str, str]] = {
    "chemistry": ("Химический состав, %", "Chemical composition, %"),
    "mechanics": ("Механические свойства", "Mechanical properties"),
    "tests": ("Испытания", "Tests"),
}
_VALUE_MAX = 120


def disclosed_fields(disclosed: dict[str, Any] | None) -> list[str]:
    """The certificate fields the producer publishes, in page order (only allowed ones)."""
    chosen = set(ALWAYS_PUBLIC)
    if isinstance(disclosed, dict) and isinstance(disclosed.get("fields"), list):
        chosen |= {str(f) for f in disclosed["fields"]}
    return [f for f in PUBLIC_FIELDS if f in chosen]


def disclosed_groups(disclosed: dict[str, Any] | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group key, [(name, value)])] of the measured values the producer publishes."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    if not isinstance(disclosed, dict):
        return out
    for key in PUBLIC_GROUPS:
        values = disclosed.get(key)
        if isinstance(values, dict) and values:
            out.append(
                (
                    key,
                    [
                        (str(k)[:_VALUE_MAX], str(v)[:_VALUE_MAX])
                        for k, v in list(values.items())[:40]
                    ],
                )
            )
    return out
