"""Feedback to the site administrator, satisfaction surveys, one-click quality ratings."""
