// The dashboards (`medchain ui`) in headless Chromium (Debian's, driven by
// puppeteer-core), through the browser alone, against a dev node: the
// one-time link, signing in (a wrong password refused with the CLI's
// wording), the signed-in home with the account's address and records, a
// forged POST refused, the link refused a second time, and an idle session
// signed out. The screenshots go to docs/dashboard/ for docs/dashboard.md.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { clientBinary, DevNode, sleep } from './lib/node.js';

const binary = clientBinary();
const CHROMIUM = process.env.MEDCHAIN_CHROMIUM || '/usr/bin/chromium';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'dashboard');
const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const PASSWORD = 'correct horse battery staple';

const node = new DevNode();
const work = mkdtempSync(join(tmpdir(), 'medchain-ui-'));
const uis = [];
let env;
let browser;
let alice;

/** Run `medchain --json`; resolves to its parsed output, or fails the test. */
function ok(args, { input = '' } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['--json', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdin.on('error', (e) => { if (e.code !== 'EPIPE') reject(e); });
    child.stdin.end(input);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(stdout));
      else reject(new Error(`medchain ${args.join(' ')} failed (${code}): ${stderr}${stdout}`));
    });
  });
}

/** Start `medchain ui` and resolve to the link it prints. */
function startUi(extra = []) {
  const child = spawn(binary, ['ui', ...extra], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  uis.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const link = out.match(/open (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})/);
      if (link) resolve(link[1]);
    });
    child.on('exit', (code) => reject(new Error(`medchain ui exited (${code}): ${err}${out}`)));
  });
}

/** Pick the account, type the password, submit; resolves when the next page is loaded. */
async function signIn(page, account, password) {
  await page.select('#account', account);
  await page.$eval('#password', (e) => { e.value = ''; });
  await page.type('#password', password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await node.start();
  env = {
    ...process.env,
    MEDCHAIN_HOME: join(work, 'home'),
    MEDCHAIN_NODE_URL: `http://127.0.0.1:${node.rpcPort}`,
    MEDCHAIN_IPFS_API: 'embedded',
    MEDCHAIN_PASSWORD: PASSWORD,
  };
  delete env.MEDCHAIN_ACCOUNT;
  alice = (await ok(['account', 'import', 'alice'], { input: `${DEV_PHRASE}//Alice\n` })).address;
  await ok(['account', 'new', 'bob']);
  // Alice (the dev chain's funded account) registers as a patient and uploads a record.
  await ok(['--as', 'alice', 'patient', 'register']);
  const file = join(work, 'lab.txt');
  writeFileSync(file, 'haemoglobin 13.9 g/dL\n');
  await ok(['--as', 'alice', 'patient', 'upload', '--category', 'LabResult', '--file', file]);
  // A doctor of Alice's hospital asks to read her lab results.
  const manal = (await ok(['account', 'new', 'manal'])).account.address;
  await ok(['--as', 'alice', 'admin', 'invite', '--hospital', '0', manal, 'doctor']);
  await ok(['--as', 'manal', 'doctor', 'apply', '--hospital', '0', '--name', 'Manal Haddad', '--specialty', 'Cardiology', '--licence', 'SN-CARD-0042']);
  await ok(['--as', 'alice', 'admin', 'approve', manal]);
  await ok(['--as', 'manal', 'doctor', 'request', alice, '--categories', 'LabResult']);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  for (const ui of uis) ui.kill('SIGINT');
  await node.stop();
});

test('the one-time link, a refused password, then the signed-in home with the records', async () => {
  const link = await startUi();
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 700 });
  await page.goto(link);
  assert.match(page.url(), /\/signin$/, 'the link leads to sign-in');
  // Every control is labelled.
  for (const id of ['account', 'password']) {
    assert.equal(await page.$eval(`label[for=${id}]`, (l) => l.textContent.length > 0), true, `label for ${id}`);
  }
  await page.screenshot({ path: join(SHOTS, 'signin.png') });

  await signIn(page, 'alice', 'not the password');
  assert.match(page.url(), /\/signin$/);
  const error = await page.$eval('[role=alert]', (e) => e.textContent);
  assert.match(error, /wrong password for account 'alice'/);
  await page.screenshot({ path: join(SHOTS, 'signin-wrong-password.png') });

  await signIn(page, 'alice', PASSWORD);
  assert.match(page.url(), /\/home$/);
  assert.equal(await page.$eval('#address', (e) => e.textContent), alice);
  const text = await page.$eval('main', (e) => e.innerText);
  assert.match(text, /Patient since/);
  assert.match(text, /LabResult/);
  assert.match(text, /v1 \(current\)/);
  assert.match(text, /baf[a-z0-9]+/, 'the record shows its IPFS CID');
  await page.screenshot({ path: join(SHOTS, 'home-patient.png'), fullPage: true });

  // The link is spent: a browser without the session cookie is refused.
  const stranger = await browser.createBrowserContext();
  const response = await (await stranger.newPage()).goto(link);
  assert.equal(response.status(), 403);
  await stranger.close();

  // A POST without the page's CSRF token (a forged form) is refused; still signed in.
  const status = await page.evaluate(async () => (await fetch('/signout', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'csrf=forged',
  })).status);
  assert.equal(status, 403);
  await page.reload();
  assert.match(page.url(), /\/home$/);

  // Sign out with the page's own form.
  await Promise.all([page.waitForNavigation(), page.click('header button[type=submit]')]);
  assert.match(page.url(), /\/signin$/);
  await page.goto(page.url().replace('/signin', '/home'));
  assert.match(page.url(), /\/signin$/, 'signed out: home leads to sign-in');
  await page.close();
});

test('the patient approves a doctor\'s request, then revokes the grant, from the home page', async () => {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 900 });
  await page.goto(await startUi());
  await signIn(page, 'alice', PASSWORD);
  const requests = await page.$eval('main', (e) => e.innerText);
  assert.match(requests, /Requests from doctors[\s\S]*Dr\. Manal Haddad[\s\S]*LabResult/);
  assert.match(requests, /Nobody but you/);
  await page.screenshot({ path: join(SHOTS, 'home-request.png'), fullPage: true });

  // Approve: the outcome says what happened and that its block is finalized.
  await Promise.all([page.waitForNavigation(), page.click('button[aria-label="Approve Dr. Manal Haddad"]')]);
  const approved = await page.$eval('[role=status]', (e) => e.textContent);
  assert.match(approved, /Approved Dr\. Manal Haddad's request \(LabResult\), 1 record keys shared/);
  assert.match(approved, /finalized/);
  const granted = await page.$eval('main', (e) => e.innerText);
  assert.match(granted, /No pending requests/);
  assert.match(granted, /Who can read your records[\s\S]*Dr\. Manal Haddad[\s\S]*Read[\s\S]*Treatment/);
  await page.screenshot({ path: join(SHOTS, 'home-granted.png'), fullPage: true });
  // The chain agrees.
  const grants = await ok(['--as', 'alice', 'patient', 'grants']);
  assert.equal(grants.length, 1);

  // Revoke: the grant is gone, on the page and on chain.
  await Promise.all([page.waitForNavigation(), page.click('button[aria-label="Revoke Dr. Manal Haddad"]')]);
  assert.match(await page.$eval('[role=status]', (e) => e.textContent), /Revoked Dr\. Manal Haddad's access/);
  assert.match(await page.$eval('main', (e) => e.innerText), /Nobody but you/);
  assert.deepEqual(await ok(['--as', 'alice', 'patient', 'grants']), []);
  await page.close();
});

test('an account that is not on the chain yet is told so', async () => {
  const page = await browser.newPage();
  await page.goto(await startUi());
  await signIn(page, 'bob', PASSWORD);
  const text = await page.$eval('main', (e) => e.innerText);
  assert.match(text, /Not registered on the chain yet/);
  await page.close();
});

test('a session idle past its timeout is signed out', async () => {
  const page = await browser.newPage();
  await page.goto(await startUi(['--idle-timeout', '1']));
  await signIn(page, 'alice', PASSWORD);
  assert.match(page.url(), /\/home$/);
  // The timeout is the condition: a request after it finds the session signed out.
  await sleep(1_500);
  await page.reload();
  assert.match(page.url(), /\/signin$/);
  assert.match(await page.$eval('[role=status]', (e) => e.textContent), /signed out after 1 second without activity/);
  await page.close();
});
