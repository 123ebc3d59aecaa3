"""The CLI's commands, one module each: orchestration only.

Each command reads what it needs through the file adapter (`welfare_xl.files`),
lets the core decide (`welfare_xl.core`), and writes through the file adapter
again; `welfare_xl.cli` prints the outcome. A command never imports another one
(the demo, which plays a whole year, excepted): what two commands, or a command
and the add-in's buttons, share lives in `files` or `core`.
"""
