"""The screens of the oms app, one module each."""
