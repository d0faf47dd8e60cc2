"""Finance mirrored from the ERP: invoices, contracts, credit limit, debt and ageing (001, 002)."""
