"""Administration: users, organisations, roles and permissions, audit log."""
