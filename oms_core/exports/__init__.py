"""Export file writers: CSV and JSON here, xlsx in :mod:`oms_core.spreadsheets.export_xlsx`.

:func:`~oms_core.exports.run.run_export` ties a source, the row shaping in
:mod:`oms_core.services.reports` and a writer together.
"""
