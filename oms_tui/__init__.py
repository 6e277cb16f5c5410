"""oms terminal UI."""
