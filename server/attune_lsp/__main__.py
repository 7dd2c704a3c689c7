"""``python -m attune_lsp``: the same as the ``attune-lsp`` command."""

import sys

from .cli import main

sys.exit(main())
