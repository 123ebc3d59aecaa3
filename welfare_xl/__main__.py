import sys

from welfare_xl.cli import main

sys.exit(main())
