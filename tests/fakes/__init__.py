"""Real local stand-ins for external services (served on 127.0.0.1 during tests)."""
