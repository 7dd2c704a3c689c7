from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp

from lspkit import Client, open_doc

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_open_reports(client: Client, workspace: Path) -> None:
    path = workspace / "packs/shop/actions/workflows/broken.workflow.yaml"
    uri = await open_doc(client, path)
    found = await client.diagnostics_of(uri, lambda d: any(x.code == "invalid-ref" for x in d))
    print([ (d.code, d.range) for d in found])
