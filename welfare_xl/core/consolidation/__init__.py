"""Merging departments' returned worksheets into the master sheet (資料２).

Plain core, shared by the CLI (files, openpyxl) and the add-in (live workbook,
xlwings): no Excel library is imported here. Input is what any reader can
give: the master's `Survey` and its keyed `Table`, the checked submissions
(`checks.check_submission`) with each file's modification time, and the files
that were skipped before reading. Output is a `ConsolidationResult`: what
happened to every file, indicator and department, and the `CellChange`s to
make on the master sheet. Adapters apply the changes and render the 集約ログ
sheet, from which 元に戻す restores the master without a backup.

- `result`: the models (inputs, changes, outcomes, `ConsolidationResult`,
  `SubmissionStatus`, `UndoPlan`), their status enums with Japanese labels,
  and their JSON;
- `decide`: `consolidate_submissions`, the rules in named steps (newest
  return per department, per-indicator acceptance, value/text/grade changes,
  department status);
- `messages`: every Japanese summary of a run, of the 提出状況 and of an undo,
  for the CLI and the add-in alike;
- `log`: the 集約ログ sheet (`log_sheet_spec`), its typed values and reading
  its changes back (`logged_changes`, `LogError`);
- `undo`: `plan_undo` (with the one guard against a log of another sheet),
  `undo_changes`, `stale_changes`.

Nothing is re-exported here: import from the submodule, so that importing this
package stays free (the add-in imports these lazily, when a button runs).
"""
