// Run the `medchain` program as a person does: arguments, a password in the
// environment, stdin; answers parsed from `--json`.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

/**
 * A runner of `binary` with `env()` (called on each run, so that a test can
 * set it up in `before`). `run(args, { as, input, json, extraEnv })` resolves
 * to `{ code, stdout, stderr, json }`; `ok` requires exit code 0.
 */
export function medchainRunner(binary, env) {
  const run = (args, { as, input, json = true, extraEnv = {} } = {}) => {
    const full = [...(json ? ['--json'] : []), ...(as ? ['--as', as] : []), ...args];
    return new Promise((resolve) => {
      const child = spawn(binary, full, { env: { ...env(), ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => { stdout += d; });
      child.stderr.on('data', (d) => { stderr += d; });
      // A command that exits without reading its input closes the pipe first.
      child.stdin.on('error', (e) => { if (e.code !== 'EPIPE') throw e; });
      child.stdin.end(input || '');
      child.on('exit', (code) => {
        let parsed = null;
        try { parsed = JSON.parse(stdout); } catch { /* human output */ }
        resolve({ code, stdout, stderr, json: parsed });
      });
    });
  };
  const ok = async (args, options) => {
    const r = await run(args, options);
    assert.equal(r.code, 0, `medchain ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r;
  };
  return { run, ok };
}
