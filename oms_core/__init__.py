"""oms core: domain rules, services and adapters."""
