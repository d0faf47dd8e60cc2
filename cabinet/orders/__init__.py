"""Orders mirrored from the ERP: registry, detail, change/cancel requests (seeds 001, 002)."""
