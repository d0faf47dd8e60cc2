"""Orders: status tabs, who sees which organisation, change/cancel request rules."""

from __future__ import annotations

import pytest

from cabinet.access.rules import Actor, Perm
from cabinet.errors import ValidationFailed
from cabinet.orders import rules
from models.orders import OrderStatus


def test_every_status_has_a_tab_a_label_and_a_colour():
    for status in OrderStatus:
        assert status in rules.TABS
        assert status in rules.STATUS_LABELS
        assert status in rules.STATUS_COLORS
    assert next(iter(rules.TABS)) == ""  # "all" first
    assert [rules.TABS[s][0] for s in rules.TABS] == [
        "Все",
        "Оформлены",
        "В работе",
        "Выполнены",
        "Отменены",
    ]


@pytest.mark.parametrize("status", list(OrderStatus))
@pytest.mark.parametrize("has_open", [False, True])
def test_request_allowed_only_on_open_orders_without_a_pending_request(status, has_open):
    refusal = rules.request_refusal(status, has_open)
    allowed = status in (OrderStatus.PLACED, OrderStatus.IN_PROGRESS) and not has_open
    assert (refusal is None) == allowed


def _actor(**kw) -> Actor:
    return Actor(id=1, full_name="x", email="x@x", **kw)


def test_customer_scope_is_member_organisations_holding_the_permission():
    a = _actor(
        org_perms={1: frozenset({Perm.ORDERS_VIEW}), 2: frozenset({Perm.FINANCE_VIEW})},
        member_org_ids=frozenset({1, 2, 3}),
    )
    assert rules.org_scope(a) == frozenset({1})
    assert rules.org_scope(a, Perm.FINANCE_VIEW) == frozenset({2})


def test_staff_scope_is_the_organisations_they_may_see():
    manager = _actor(
        global_perms=frozenset({Perm.ORDERS_STAFF, Perm.ORGS_VIEW}),
        managed_org_ids=frozenset({7, 8}),
    )
    assert rules.org_scope(manager) == frozenset({7, 8})
    assert rules.org_scope(manager, Perm.FINANCE_VIEW) == frozenset({7, 8})
    everyone = _actor(global_perms=frozenset({Perm.ORDERS_STAFF, Perm.ORGS_VIEW, Perm.ORGS_ALL}))
    assert rules.org_scope(everyone) is None
    nobody = _actor(global_perms=frozenset({Perm.SUPPORT_HANDLE}))
    assert rules.org_scope(nobody) == frozenset()


def test_only_members_holding_orders_request_may_ask():
    a = _actor(
        org_perms={1: frozenset({Perm.ORDERS_REQUEST}), 2: frozenset({Perm.ORDERS_VIEW})},
        member_org_ids=frozenset({1, 2}),
    )
    assert rules.may_request(a, 1)
    assert not rules.may_request(a, 2)
    assert not rules.may_request(a, 3)


def test_clean_request_keeps_known_fields_and_checks_them():
    data = rules.clean_request(
        "change",
        {"planned_shipment_on": "2026-12-20", "consignee": "  ООО  Ромашка ", "price": "1"},
        "",
    )
    assert data.payload == {"planned_shipment_on": "2026-12-20", "consignee": "ООО Ромашка"}
    with pytest.raises(ValidationFailed) as e:
        rules.clean_request("change", {"planned_shipment_on": "20.12.2026"}, "")
    assert e.value.field == "planned_shipment_on"
    with pytest.raises(ValidationFailed):
        rules.clean_request("change", {}, "   ")
    with pytest.raises(ValidationFailed):
        rules.clean_request("cancel", {}, "")
    with pytest.raises(ValidationFailed):
        rules.clean_request("delete", {}, "x")
    assert rules.clean_request("cancel", {"consignee": "x"}, "Не нужен").payload == {}


def test_search_text_is_lower_case_and_single_spaced():
    assert rules.search_text("З-1", "Выкса", None, "ООО  «Ромашка»") == "з-1 выкса ооо «ромашка»"


def test_change_request_labels_speak_both_languages() -> None:
    from cabinet.orders import rules as orr

    for labels in (orr.CHANGE_KIND_LABELS, orr.CHANGE_STATUS_LABELS):
        assert labels and all(ru and en and ru != en for ru, en in labels.values())
