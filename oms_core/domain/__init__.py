"""The oms domain: entities, value objects and rules. Standard library only, no I/O."""
