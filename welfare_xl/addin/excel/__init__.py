"""The live adapter's Excel side, shared by the actions (which never import one another).

* `grids`: the open workbook as the core sees it (one bulk read per sheet, values as COM gives them), and
  what differs between the desktop and the remote engine;
* `workbook`: the 管理情報 and the survey's master table read into the model (`read_book_meta`, `read_survey`);
* `ranges`: which cells to write together (rectangles and runs of equal value, the range of a rectangle);
* `sheet_writer`: a `SheetSpec` written through xlwings, fills of scattered cells (`paint`), `excel_value`;
* `formulas`: what the cells 集約 overwrites really hold (formulas, read on desktop Excel), for the 集約ログ;
* `com`: what only desktop Excel can do (protection, validation messages, page set-up, patterns, PDF);
* `settings`: the 設定 sheet and the folders it names;
* `logfile`: where a button's failure is written down.
"""
