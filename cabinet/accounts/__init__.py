"""Registration, confirmation codes, login, second factor, sessions, password reset."""
