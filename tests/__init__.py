"""oms tests."""
