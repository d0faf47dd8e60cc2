"""The autocommit read engine of the hot auction reads (cabinet.db.read_only)."""

from __future__ import annotations

import pytest

from cabinet.db import get_engine, get_read_engine, read_only

pytestmark = pytest.mark.db


def _pid() -> int:
    return int(
        read_only(lambda s: s.connection().exec_driver_sql("select pg_backend_pid()").scalar())
    )


def test_read_only_answers_after_its_connections_were_cut():
    if get_read_engine().dialect.name != "postgresql":
        pytest.skip("SQLite reads use the main engine: no server connections to cut")
    pids = {_pid() for _ in range(3)}
    # As a restarted server or an idle-connection killer would: the pooled connections die.
    with get_engine().connect() as c:
        for pid in pids:
            c.exec_driver_sql(f"select pg_terminate_backend({pid})")
        c.commit()
    # The next read meets a dead pooled connection and is run once more on a fresh one.
    assert read_only(lambda s: s.connection().exec_driver_sql("select 41 + 1").scalar()) == 42
    assert _pid() not in pids


def test_read_only_runs_outside_a_transaction_on_postgresql():
    engine = get_read_engine()
    if engine.dialect.name != "postgresql":
        assert engine is get_engine()
        return
    # No BEGIN/ROLLBACK around the statements: the connection is in autocommit.
    status = read_only(lambda s: s.connection().connection.dbapi_connection.autocommit)
    assert status is True


def test_read_only_passes_other_errors_through():
    with pytest.raises(Exception, match="no_such_table"):
        read_only(lambda s: s.connection().exec_driver_sql("select * from no_such_table").all())
