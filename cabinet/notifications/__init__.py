"""Notifications: event catalog, templates, channels, delivery queue and statistics.

Other modules call `cabinet.notifications.service.emit(session, event=..., recipient_ids=...,
context=..., link=...)` inside their own transaction; see catalog.EVENTS for the events.
"""
