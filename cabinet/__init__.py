"""Cabinet: a customer self-service portal platform."""
