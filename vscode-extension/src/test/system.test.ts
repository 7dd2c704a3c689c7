import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { findOnPath } from '../common/serverResolution';
import { isExecutableFile, probeInterpreter } from '../node/system';

const posix = process.platform !== 'win32';

describe('file and interpreter checks (real processes)', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'attune-ext-'));
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts an executable file, refuses a folder and a missing file', async function () {
    if (!posix) {
      this.skip();
    }
    const file = path.join(dir, 'attune-lsp');
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o755);
    assert.equal(await isExecutableFile(file), true);
    assert.equal(await isExecutableFile(dir), false);
    assert.equal(await isExecutableFile(path.join(dir, 'missing')), false);
    chmodSync(file, 0o644);
    assert.equal(await isExecutableFile(file), false);
  });

  describe('probeInterpreter', () => {
    let python: string | undefined;

    before(async () => {
      python = await findOnPath(process.platform === 'win32' ? 'python' : 'python3', {
        platform: process.platform,
        env: process.env,
        isExecutableFile,
      });
    });

    it('says ok when the module can be imported', async function () {
      if (!python) {
        this.skip();
      }
      assert.equal(await probeInterpreter([python], { moduleName: 'json' }), 'ok');
    });

    it('says missingModule when Python runs but lacks the module', async function () {
      if (!python) {
        this.skip();
      }
      assert.equal(await probeInterpreter([python], { moduleName: 'attune_no_such_module_x' }), 'missingModule');
    });

    it('says notRunnable for an interpreter that does not exist or is not Python', async () => {
      assert.equal(await probeInterpreter([path.join(dir, 'no-python')]), 'notRunnable');
      assert.equal(await probeInterpreter([]), 'notRunnable');
      // Node rejects `-c`: it runs, but is no Python.
      assert.equal(await probeInterpreter([process.execPath]), 'notRunnable');
    });
  });
});
