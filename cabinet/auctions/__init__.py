"""Auctions (seed 002, issue #10): calendar, lots, open bids, closed price offers, mixed form,
automatic winners, the organiser's cabinet.

Files
- rules.py — pure rules: amounts, steps, the three forms, soft close, winner (no DB).
- service.py — the only writers (one action = one transaction, compare-and-set on the lot).
- queries.py — scoped reads returning plain dataclasses.
- closer.py — the lifespan task: starts auctions, closes lots, decides results once.
- lots_import.py — CSV/XLSX lots: parse + row errors (preview) before one transaction.
- organiser_state.py / organiser_pages.py — the organiser's cabinet (/admin/auctions…).
- demo.py — demo auctions (running, announced, finished).
- live.py, participant_state.py, participant_pages.py — participants' side (calendar, lot
  list, live lot page).

API used by the participants' side (all take a sqlmodel Session; refusals raise
cabinet.errors.DomainError subclasses with a Russian `message`):

- ``service.place_bid(session, *, actor_id, lot_id, amount) -> BidResult`` — an open bid;
  commits. `amount` may be a Decimal, int or text ("125 000,50"); floats, NaN, negatives,
  more than 2 decimals and huge values are refused (ValidationFailed), as are forged lot ids
  (NotFound). Refused bids raise ``rules.BidRefused`` and leave the ledger unchanged.
- ``service.place_offer(session, *, actor_id, lot_id, amount) -> BidResult`` — a closed price
  offer; placing again replaces the organisation's previous offer (edit).
- ``service.withdraw_offer(session, *, actor_id, lot_id) -> BidResult`` — cancels it.
- ``queries.lot_view(session, *, actor_id, lot_id) -> LotView`` — everything the lot page
  shows, anonymised (pseudonyms "Участник N", open bids only, the caller's own offer only).
- ``queries.lot_version(session, lot_id) -> int`` — the lot's compare-and-set counter, a cheap
  "has anything changed?" (-1 for a missing lot); ``queries.lot_versions(session, ids)``.
- ``queries.calendar(session, *, actor_id, month: date) -> list[CalendarItem]``.
- ``queries.list_lots(session, *, actor_id, filters: LotFilters, cursor="", before="",
  limit=25) -> pagination.Page[LotRow]``.
- ``queries.auction_view(session, *, actor_id, auction_id) -> AuctionView``.
- ``queries.may_view(actor)`` — who sees the auction pages at all.

A user who belongs to several organisations bids for the one already taking part in that
auction, else for the first (lowest id) active organisation where they hold
Perm.AUCTIONS_BID (``service._bidder``).
"""
