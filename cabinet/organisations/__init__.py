"""Organisations (counterparties), contacts, link requests and company lookup by INN."""
