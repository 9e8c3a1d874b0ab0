"""``python -m silkway.cli``: the same as the ``silkway`` command."""

from silkway.cli import main

main()
