"""``python -m rxgate``: the ``rxgate-py`` command line (see :mod:`rxgate.cli`)."""

from rxgate.cli import main

main()
