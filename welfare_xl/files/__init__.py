"""The file adapter: workbooks read with python-calamine, written with openpyxl, saved atomically;
the submissions folder; PDF through LibreOffice."""
