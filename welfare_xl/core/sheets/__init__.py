"""Worksheets as plain data (`SheetSpec`): the master 資料２, a department's form, the committee version."""
