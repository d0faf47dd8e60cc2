"""Document search terms: normalisation and the prefix range (digits, Latin, Cyrillic)."""

from __future__ import annotations

import pytest

from cabinet.documents import rules
from cabinet.documents.rules import normalise_term, prefix_upper_bound, term_range


@pytest.mark.parametrize(
    ("prefix", "upper"),
    [
        ("19", "1:"),
        ("2026", "2027"),
        ("СК-2026-1", "СК-2026-2"),
        ("П-2026-04", "П-2026-05"),
        ("Я", "а"),  # U+042F → U+0430
        ("Ая", "Аѐ"),  # U+044F → U+0450
        ("AZ", "A["),
        ("\ud7ff", "\ue000"),  # skips the surrogate block
        ("A\U0010ffff", "B"),  # the last code point carries into the previous character
        ("\U0010ffff", None),
    ],
)
def test_prefix_upper_bound_is_the_next_code_point_of_the_last_character(prefix, upper):
    assert prefix_upper_bound(prefix) == upper


@pytest.mark.parametrize("prefix", ["1", "19", "СК-2026", "П-2026-04", "Ё", "Я", "9Я", "ZZ"])
def test_every_string_with_the_prefix_is_inside_the_range_and_no_other(prefix):
    high = prefix_upper_bound(prefix)
    assert high is not None
    samples = [
        prefix,
        prefix + "0",
        prefix + "99999",
        prefix + "Я",
        prefix + "я",
        prefix + "\U0010ffff",
        prefix + "-",
        prefix[:-1],
        prefix[:-1] + chr(ord(prefix[-1]) - 1) + "zzz",
        high,
        high + "0",
        "",
        "0" + prefix,
    ]
    for s in samples:
        # Byte-wise order of UTF-8 is code-point order: what SQLite and collation "C" compare.
        inside = prefix <= s < high
        assert inside == s.startswith(prefix), s
        assert (s.encode() >= prefix.encode() and s.encode() < high.encode()) == inside


def test_terms_are_trimmed_upper_cased_and_cut_to_the_column_length():
    assert normalise_term("  п-2026 0417 ") == "П-20260417"
    assert normalise_term("ск-2026-1") == "СК-2026-1"
    assert normalise_term("x" * 100) == "X" * 40
    assert normalise_term(None) == ""


def test_term_range_exact_prefix_and_empty():
    assert term_range("", exact=False).empty
    assert term_range("   ", exact=True).empty
    exact = term_range("ск-1", exact=True)
    assert (exact.exact, exact.low, exact.high) == ("СК-1", None, None)
    prefix = term_range("ск-1", exact=False)
    assert (prefix.exact, prefix.low, prefix.high) == (None, "СК-1", "СК-2")


def test_public_page_fields_never_include_the_customer_or_prices():
    fields = rules.disclosed_fields(
        {"fields": ["consignee", "customer", "price", "amount", "grade"]}
    )
    assert "grade" in fields
    assert not {"consignee", "customer", "price", "amount", "organisation"} & set(fields)
    # The batch is always identified, whatever the producer chose.
    assert set(rules.ALWAYS_PUBLIC) <= set(rules.disclosed_fields(None))


def test_disclosed_groups_keep_known_groups_only_and_cut_long_values():
    groups = rules.disclosed_groups(
        {"chemistry": {"C": "0,12", "Mn": "x" * 500}, "prices": {"a": "1"}, "mechanics": "bad"}
    )
    assert [g for g, _ in groups] == ["chemistry"]
    assert dict(groups[0][1])["Mn"] == "x" * 120
