"""``python -m desktop``: the same as the ``briefdesk`` command."""

import sys

from desktop.launcher import main

sys.exit(main())
