// A hospital's pinning follower (`medchain follow run`) as the tests start
// it: its own home (state file), its hospital's IPFS node, a log file; and
// the process handling it shares with other long-running client commands.

import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

/**
 * A long-running `medchain` command (`args`) with its own home, logging to
 * `<home>.log`; `env` gives its environment.
 */
export class ClientProcess {
  start() {
    const log = createWriteStream(`${this.home}.log`, { flags: 'a' });
    this.child = spawn(this.client, this.command, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.pipe(log);
    this.child.stderr.pipe(log);
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    return this;
  }

  async stop() {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

export class Follower extends ClientProcess {
  /**
   * `client`: the medchain binary; `home`: its MEDCHAIN_HOME; `nodeUrl`: the
   * chain node; `ipfsUrl`: the hospital's IPFS node; `args`: more `follow run`
   * arguments (e.g. `--keep own --hospital 1`).
   */
  constructor({ client, home, nodeUrl, ipfsUrl, args = [] }) {
    super();
    Object.assign(this, { client, home, nodeUrl, ipfsUrl, args });
  }

  get env() {
    return { ...process.env, MEDCHAIN_HOME: this.home, MEDCHAIN_NODE_URL: this.nodeUrl, MEDCHAIN_IPFS_API: this.ipfsUrl };
  }

  get command() {
    return ['follow', 'run', '--poll', '1', ...this.args];
  }

  /** `medchain follow status --json`: its state file. */
  status() {
    return JSON.parse(execFileSync(this.client, ['--json', 'follow', 'status'], { env: this.env, encoding: 'utf8' }));
  }
}

/** `home` beside `work` for follower `name`. */
export const followerHome = (work, name) => join(work, `follower-${name}`);
