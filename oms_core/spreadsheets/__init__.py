"""Spreadsheet adapters (openpyxl): order-import template, reader, error report, exports."""
