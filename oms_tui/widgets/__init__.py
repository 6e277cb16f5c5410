"""Reusable widgets of the oms app."""
