"""Roles, permissions and the one place that decides "may this user do X to this object"."""
