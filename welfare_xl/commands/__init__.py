"""File-level operations: each CLI command is a thin shell over one of these.

They glue the core (plain values in, plain results out) to the file adapter
(`welfare_xl.files`). The add-in's buttons call the same core through xlwings.
"""
