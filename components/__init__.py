"""Stateless UI pieces shared by every module."""
