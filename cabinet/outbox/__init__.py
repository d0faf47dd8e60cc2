"""The local e-mail outbox and SMS log (/admin/outbox): what the portal sent, to whom."""
