"""Pure rules of notifications: template checks, rendering, channel choice, backoff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cabinet.notifications import rules
from cabinet.notifications.catalog import ALL_CHANNELS, EVENTS, LANGS, default_template, get_event
from cabinet.notifications.rules import TemplateError

SPEC = EVENTS["links.decided"]
REQUIRED_EVENTS = {
    "links.decided",
    "support.request_created",
    "support.message_added",
    "support.status_changed",
    "accounts.security",
    "applications.status_changed",
    "journals.signature_requested",
}


def test_the_catalog_has_the_events_other_modules_emit():
    assert set(EVENTS) >= REQUIRED_EVENTS


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_every_shipped_template_passes_its_own_check(event):
    spec = EVENTS[event]
    assert spec.default <= spec.allowed <= set(ALL_CHANNELS)
    for channel in spec.allowed:
        for lang in LANGS:
            rules.validate_template(spec, channel, *default_template(event, channel, lang))


def test_unknown_variable_is_refused_with_the_list_of_known_ones():
    with pytest.raises(TemplateError) as err:
        rules.validate_template(SPEC, "email", "Тема {organisation}", "Долг: {debt}")
    assert "{debt}" in err.value.message and "{organisation}" in err.value.message
    assert err.value.field == "body"


def test_unknown_variable_in_the_subject_names_the_subject():
    with pytest.raises(TemplateError) as err:
        rules.validate_template(SPEC, "email", "Тема {nope}", "Текст")
    assert err.value.field == "subject"


@pytest.mark.parametrize(
    "body",
    [
        "{user_name.__class__}",
        "{user_name[0]}",
        "{user_name!r}",
        "{user_name:>99999999}",
        "{}",
        "{0}",
        "Открыта скобка {",
        "Закрыта скобка }",
    ],
)
def test_only_plain_placeholders_are_accepted(body):
    with pytest.raises(TemplateError):
        rules.validate_template(SPEC, "email", "Тема", body)


def test_doubled_braces_are_literal():
    rules.validate_template(SPEC, "email", "Тема", 'JSON: {{"a": 1}} для {user_name}')
    assert rules.render("{{x}} {user_name}", {"user_name": "Аня"}) == "{x} Аня"


def test_empty_body_too_long_sms_and_missing_subject_are_refused():
    with pytest.raises(TemplateError):
        rules.validate_template(SPEC, "email", "Тема", "   ")
    with pytest.raises(TemplateError):
        rules.validate_template(SPEC, "sms", "", "x" * (rules.MAX_SHORT + 1))
    with pytest.raises(TemplateError):
        rules.validate_template(SPEC, "email", "", "Текст")
    rules.validate_template(SPEC, "sms", "", "Текст без темы")


def test_render_fills_values_and_leaves_missing_ones_empty():
    subject, body = rules.render_message(
        SPEC, "email", "Запрос: {decision}", "{user_name}: {comment}!", {"decision": "одобрен"}
    )
    assert (subject, body) == ("Запрос: одобрен", ": !")


def test_render_does_not_evaluate_values_as_templates():
    assert rules.render("{user_name}", {"user_name": "{link}"}) == "{link}"


def test_render_clips_to_the_channel_limit():
    _, body = rules.render_message(SPEC, "sms", "", "{comment}{comment}", {"comment": "я" * 900})
    assert len(body) == rules.MAX_SHORT


def test_sample_preview_fills_every_declared_variable():
    for spec in EVENTS.values():
        text = " ".join("{" + v + "}" for v in spec.variables)
        _, body = rules.render_message(spec, "email", "s", text, spec.sample_context())
        assert all(part for part in body.split(" "))


def test_effective_channels_default_choice_and_staff_switch():
    assert rules.effective_channels(SPEC) == ["inapp", "email"]
    assert rules.effective_channels(SPEC, chosen=["sms", "telegram"]) == ["sms", "telegram"]
    assert rules.effective_channels(SPEC, chosen=["sms"], switched_off=["sms"]) == []
    assert rules.effective_channels(SPEC, chosen=[]) == []


def test_a_user_cannot_choose_a_channel_the_event_does_not_allow():
    narrow = get_event("links.decided").__class__(
        "t",
        "t",
        allowed=frozenset({"inapp", "email"}),
        default=frozenset({"inapp"}),
        sample={},
        ru=SPEC.ru,
        en=SPEC.en,
    )
    assert rules.clean_choice(narrow, ["email", "sms", "telegram", "x"]) == ["email"]
    assert rules.effective_channels(narrow, chosen=["sms", "email"]) == ["email"]
    assert rules.selectable_channels(narrow, switched_off=["email"]) == ["inapp"]


def test_backoff_doubles_from_30_seconds_up_to_an_hour():
    assert [rules.backoff(n) for n in range(1, 5)] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert rules.backoff(30) == timedelta(hours=1)


def test_retry_only_transient_failures_within_the_attempt_budget():
    assert rules.should_retry(1, transient=True)
    assert not rules.should_retry(1, transient=False)
    assert not rules.should_retry(rules.MAX_ATTEMPTS, transient=True)


def test_unknown_event_is_a_programming_error():
    with pytest.raises(KeyError):
        get_event("no.such.event")
