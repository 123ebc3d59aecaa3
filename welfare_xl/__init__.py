"""welfare-xl: the yearly progress survey of a municipal plan, run from Excel."""

__version__ = "0.1.0"
