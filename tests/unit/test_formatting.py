"""Stored UTC times are shown in the portal's display time zone (Moscow by default)."""

from __future__ import annotations

from datetime import UTC, datetime

from cabinet.formatting import fmt_date, fmt_dt, fmt_dt_seconds


def test_utc_time_is_shown_in_moscow_time():
    assert fmt_dt(datetime(2026, 11, 29, 10, 5, tzinfo=UTC)) == "29.11.2026 13:05"


def test_the_date_follows_the_display_zone_across_midnight():
    assert fmt_date(datetime(2026, 12, 31, 22, 30, tzinfo=UTC)) == "01.01.2027"


def test_naive_values_are_taken_as_utc_and_seconds_are_kept():
    assert fmt_dt_seconds(datetime(2026, 1, 2, 3, 4, 5)) == "02.01.2026 06:04:05"  # noqa: DTZ001


def test_empty_value_shows_nothing():
    assert fmt_dt(None) == "" and fmt_date(None) == ""
