"""The file adapter: workbooks read with python-calamine (reader), written with openpyxl (writer),
saved atomically with a backup first where a file is overwritten (atomic); a return typed as a clerk
types it (returns); the submissions folder; PDF through LibreOffice."""
