"""The file adapter: everything that reads or writes files, for the CLI's commands and the add-in alike.

reader (python-calamine), writer (openpyxl), atomic (where an output may go; save whole or not
at all, backups), lock (one writer per file), survey_file (a survey workbook into the model), survey_edit (changes
and the 集約ログ into an existing survey), submissions (the returns folder),
department_books, committee_book, returns (a clerk's typing, for the demo and
tests), source (the template's TOML), pdf (LibreOffice), user_config.
"""
