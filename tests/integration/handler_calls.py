"""Calling a state's event handler directly, the way the tests of slow handlers need it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import reflex as rx
from reflex.istate.data import RouterData


def state_instance(cls: type[rx.State], path: str, token: str = "") -> Any:
    """A fresh instance of `cls` in its own state tree, on page `path`, holding `token`."""
    root = rx.State(_reflex_internal_init=True)
    st = root.get_substate(cls.get_full_name().split(".")[1:])
    st.token = token
    st.router = RouterData.from_router_data(
        {"pathname": path.split("?")[0], "asPath": path, "headers": {"origin": "http://t"}}
    )
    return st


def run_counting_loop(call: Callable[[], Awaitable[Any]]) -> tuple[Any, int]:
    """`await call()` on a fresh event loop, and how many times another task of that loop
    got to run meanwhile: more than once when the handler awaited its work in a thread."""

    async def run() -> tuple[Any, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        try:
            return await call(), ticks
        finally:
            task.cancel()

    return asyncio.run(run())
