"""The plain core: the survey model, reading grids into it, checks, grading,
consolidation and the sheets as data. Imports only itself, `welfare_xl.errors`
and the standard library (pandas in `tidy`); never a file or Excel library."""
