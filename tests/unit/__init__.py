"""Unit tests: domain rules and services against in-memory fakes."""
