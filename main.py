"""Entry point: ``python main.py --help``."""

import sys

from automation.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
