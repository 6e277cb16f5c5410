"""Order documents: the invoice and the packing slip as PDF files (fpdf2, pure Python).

An adapter like :mod:`oms_core.spreadsheets`: it lays out read models that the services hand out
(:class:`~oms_core.read_models.OrderView`) and never touches the database itself.
"""
