"""welfare-xl: the yearly progress survey of a municipal plan, run from Excel."""

import logging

__version__ = "0.1.0"

# A library logs; the CLI (and the add-in) decide where it goes: never to the user's terminal by default.
logging.getLogger(__name__).addHandler(logging.NullHandler())
