"""Telecom: SIM cards, tariffs, payments (subscriber side) and the operator's admin side."""
