"""Helpers shared by the tests: repository paths, filling a form like a clerk, xlwings payloads, a COM fake."""
