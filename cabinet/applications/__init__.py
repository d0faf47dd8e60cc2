"""Grid-connection applications (seed 000)."""
