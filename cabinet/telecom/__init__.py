"""Telecom: subscriber cabinet (SIM cards, balance, payments, auto-payment) and requests."""
