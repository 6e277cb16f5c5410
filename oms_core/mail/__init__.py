"""Mail adapters: the SMTP sender and the template files an office may edit.

The rules (what is sent, retries, header safety) live in :mod:`oms_core.domain.mail`; the outbox
and its sending loop in :mod:`oms_core.services.mail`.
"""
