"""The command line: ``python main.py COMMAND ...``, a thin layer over the library."""
