"""``python -m workbench.cli``: the ``workbench`` command."""

import sys

from workbench.cli.app import main

sys.exit(main())
