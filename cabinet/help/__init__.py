"""Help pages: markdown articles edited by administrators, search, short hints on forms."""
