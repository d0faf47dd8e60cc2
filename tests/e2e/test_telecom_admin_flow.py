"""Telecom operator admin in Chromium: a subscriber's activation request is approved by an
administrator from the requests page — the SIM card becomes active and the subscriber is
notified; the manager of that subscriber (view only) sees the request but no decision buttons."""

from __future__ import annotations

import re
import time

import pytest
from sqlmodel import Session, select
from stdnum import luhn

from tests.e2e.helpers import engine, session_token, user_id

pytestmark = pytest.mark.e2e


def _stock_sim_and_request() -> tuple[int, int, str]:
    """A stock SIM card and a pending activation request of the demo customer for it."""
    from models import Membership, Notification  # noqa: F401
    from models.telecom import ActivationRequest, SimCard

    n = int(time.time() * 1000) % 10**9
    body = f"89701990{n:010d}"
    iccid = body + luhn.calc_check_digit(body)
    msisdn = f"+7999{n % 10**7:07d}"
    client_id = user_id("client@demo.local")
    with Session(engine()) as s:
        org_id = s.exec(
            select(Membership.organisation_id).where(Membership.user_id == client_id)
        ).first()
        sim = SimCard(iccid=iccid, msisdn=msisdn, search_text=iccid)
        s.add(sim)
        s.flush()
        req = ActivationRequest(
            sim_id=sim.id,
            organisation_id=org_id,
            requested_by_id=client_id,
            comment="Сим-карта для нового роутера",
        )
        s.add(req)
        s.commit()
        return sim.id, req.id, msisdn


def test_admin_approves_an_activation_request(open_page) -> None:  # type: ignore[no-untyped-def]
    from models import Notification
    from models.telecom import ActivationRequest, SimCard

    sim_id, req_id, _msisdn = _stock_sim_and_request()

    viewer = open_page()
    viewer.use_session(session_token("manager@demo.local"))
    viewer.goto("/admin/telecom/requests?kind=activation")
    viewer.by_id("req-table").get_by_text("Сим-карта для нового роутера").first.wait_for()
    assert viewer.by_id(f"req-approve-{req_id}").count() == 0  # view only

    admin = open_page()
    admin.use_session(session_token("admin@demo.local"))
    admin.goto("/admin/telecom/requests?kind=activation")
    admin.click(f"req-approve-{req_id}")
    admin.fill("req-comment", "Активировали, тариф прежний.")
    admin.click("req-decide")
    admin.page.wait_for_function(
        "(id) => !document.getElementById('req-approve-' + id)", arg=str(req_id)
    )
    admin.shot("telecom-admin-activation-approved")
    with Session(engine()) as s:
        assert s.get(SimCard, sim_id).status == "active"
        assert s.get(ActivationRequest, req_id).status == "approved"
        notes = s.exec(
            select(Notification).where(Notification.user_id == user_id("client@demo.local"))
        ).all()
        assert any("одобрена" in n.title for n in notes)

    admin.goto(f"/admin/telecom/sim?id={sim_id}")
    admin.wait_id_text("sim-status", "Активна")
    # The decided request is in the "approved" list with the comment.
    admin.goto("/admin/telecom/requests?kind=activation&status=approved")
    admin.by_id("req-table").get_by_text(re.compile("Активировали")).first.wait_for()


def test_admin_changes_a_sim_cards_number_by_importing_a_file(open_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The case study's import mode: choose "change", upload a CSV keyed by ICCID, check it,
    apply it — the stored card gets the file's number and status."""
    from models.telecom import SimCard

    sim_id, _req_id, _old = _stock_sim_and_request()
    with Session(engine()) as s:
        sim = s.get(SimCard, sim_id)
        iccid = sim.iccid
    n = int(time.time() * 1000) % 10**7
    new_number = f"+7998{n:07d}"
    csv_file = tmp_path / "change.csv"
    csv_file.write_bytes(
        f"ICCID;Номер;Статус\r\n{iccid};{new_number};Заблокирована\r\n".encode("cp1251")
    )

    admin = open_page()
    admin.use_session(session_token("admin@demo.local"))
    admin.goto("/admin/telecom/import")
    admin.click("import-mode-update")
    admin.page.set_input_files("#telecom-csv input[type=file]", str(csv_file))
    admin.click("telecom-csv-submit")
    admin.wait_id_text("import-mode-shown", "Изменение")
    admin.by_id("import-run").wait_for()
    admin.wait_id_text("import-run", "Применить изменения")
    admin.shot("telecom-import-update-checked")
    admin.click("import-run")
    admin.wait_id_text("import-message", "Изменено сим-карт: 1")
    with Session(engine()) as s:
        sim = s.get(SimCard, sim_id)
        assert (sim.msisdn, sim.status, sim.block_reason) == (
            new_number,
            "blocked",
            "Импорт из CSV",
        )
