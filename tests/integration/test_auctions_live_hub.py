"""The live hub of the lot pages without a database: one poll per process for every watcher,
followers woken on a version change, changes folded into one re-read, nothing watched when
nobody follows. The versions come from a dict the test moves, as bids would in the table."""

from __future__ import annotations

import asyncio
import time
from contextlib import aclosing

from cabinet.auctions.live import GONE, LotHub, follow


class Versions:
    """What `auction_lots.version` says; counts the reads (one per poll, not per watcher)."""

    def __init__(self, **lots: int) -> None:
        self.lots = {int(k.strip("l")): v for k, v in lots.items()}
        self.reads: list[list[int]] = []

    def __call__(self, ids: list[int]) -> dict[int, int]:
        self.reads.append(sorted(ids))
        return {i: self.lots[i] for i in ids if i in self.lots}


def test_followers_see_a_version_change_within_a_few_polls() -> None:
    versions = Versions(l1=3)
    hub = LotHub(read=versions, poll_seconds=0.01)
    reads: dict[str, list[int]] = {"a": [], "b": []}

    async def follower(name: str, stop: asyncio.Event) -> None:
        views = follow(1, lambda _pub: versions.lots[1], hub=hub, idle_seconds=0.05)
        async with aclosing(views):
            async for view in views:
                if view is not None:
                    reads[name].append(view)
                if stop.is_set():
                    return

    async def scenario() -> float:
        stop = asyncio.Event()
        tasks = [asyncio.create_task(follower(n, stop)) for n in reads]
        await asyncio.sleep(0.05)
        t0 = time.perf_counter()
        versions.lots[1] = 4
        while not all(r and r[-1] == 4 for r in reads.values()):
            await asyncio.sleep(0.002)
        took = time.perf_counter() - t0
        stop.set()
        await asyncio.gather(*tasks)
        return took

    took = asyncio.run(scenario())
    assert reads == {"a": [3, 4], "b": [3, 4]}
    assert took < 1.0  # generous: the poll is 10 ms; no timing claims in tests
    # Both followers share the reads: every read asked for lot 1 once.
    assert all(ids == [1] for ids in versions.reads)


def test_changes_during_a_slow_read_fold_into_one_more_read() -> None:
    versions = Versions(l7=0)
    hub = LotHub(read=versions, poll_seconds=0.005)
    seen: list[int] = []

    def slow_read(_pub: object) -> int:
        value = versions.lots[7]
        time.sleep(0.05)
        return value

    async def scenario() -> None:
        async def bump() -> None:
            for v in range(1, 11):
                versions.lots[7] = v
                await asyncio.sleep(0.01)

        bumper = asyncio.create_task(bump())
        views = follow(7, slow_read, hub=hub, idle_seconds=0.2)
        async with aclosing(views):
            async for view in views:
                if view is not None:
                    seen.append(view)
                if view is None or view == 10:
                    break
        await bumper

    asyncio.run(scenario())
    assert seen[-1] == 10
    assert len(seen) < 10  # ten changes, fewer reads: none queued up behind the others
    assert seen == sorted(seen)


def test_idle_follower_is_woken_to_check_and_the_hub_stops_when_nobody_watches() -> None:
    versions = Versions(l2=1)
    hub = LotHub(read=versions, poll_seconds=0.01)

    async def scenario() -> list[object]:
        got: list[object] = []
        views = follow(2, lambda _pub: "view", hub=hub, idle_seconds=0.03)
        async with aclosing(views):
            async for view in views:
                got.append(view)
                if len(got) == 3:
                    break
        assert hub.watched == []
        await asyncio.sleep(0.03)  # a read already under way may finish
        polls = hub.polls
        await asyncio.sleep(0.05)
        assert hub.polls == polls  # nobody watches: no more reads
        return got

    assert asyncio.run(scenario()) == ["view", None, None]


def test_a_deleted_lot_counts_as_a_change() -> None:
    versions = Versions(l5=2)
    hub = LotHub(read=versions, poll_seconds=0.01)

    async def scenario() -> list[object]:
        got: list[object] = []
        views = follow(5, lambda _pub: versions.lots.get(5, GONE), hub=hub)
        async with aclosing(views):
            async for view in views:
                got.append(view)
                if len(got) == 1:
                    del versions.lots[5]
                else:
                    break
        return got

    assert asyncio.run(scenario()) == [2, GONE]
