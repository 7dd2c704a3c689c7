"""``python -m attune_lsp``: the same as the ``attune-lsp`` command."""

from .cli import run

run()
