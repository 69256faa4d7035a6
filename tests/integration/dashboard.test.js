// The dashboards (`medchain ui`) in headless Chromium (Debian's, driven by
// puppeteer-core), against a dev node and a js-ipfs daemon, through the
// browser alone: the seed story (an admin invites, a patient registers with a
// profile, a doctor applies and is approved, asks for access with a reason,
// the patient approves, the doctor creates a record from a 5 MiB file, the
// patient downloads the same bytes, revokes and rotates, the revoked doctor is
// refused, an auditor sees the whole trail verified and exports it), and the
// protections: a wrong password, a spent link, a forged POST, an idle session,
// a tampered file. Each person runs their own `medchain ui` on their own
// keystore, as on their own machine, and makes their account there (Alice
// restores hers from its phrase). The screenshots go to docs/dashboard/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';
import { clientBinary, DevNode, sleep } from './lib/node.js';
import { JsIpfs } from './lib/ipfs.js';

const binary = clientBinary();
const CHROMIUM = process.env.MEDCHAIN_CHROMIUM || '/usr/bin/chromium';
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'dashboard');
const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const PASSWORD = 'correct horse battery staple';
/** A chain action waits for its block (and finality): minutes at most. */
const ACTION_TIMEOUT = 180_000;

const node = new DevNode();
const ipfs = new JsIpfs();
const work = mkdtempSync(join(tmpdir(), 'medchain-ui-'));
const uis = [];
let browser;
let baseEnv;
/** Each person: their own keystore (home) and address. */
const people = {};

/** Run `medchain --json` as `person`; resolves to its parsed output, or fails the test. */
function ok(person, args, { input = '', extraEnv = {} } = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...baseEnv, MEDCHAIN_HOME: join(work, person), ...extraEnv };
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

/** Start `person`'s `medchain ui` and resolve to the link it prints. */
function startUi(person, extra = [], extraEnv = {}) {
  const env = { ...baseEnv, MEDCHAIN_HOME: join(work, person), ...extraEnv };
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

/** Pick the account, type the password, submit with Enter; resolves when the next page is loaded. */
async function signIn(page, account, password) {
  await page.select('#account', account);
  await page.$eval('#password', (e) => { e.value = ''; });
  await page.type('#password', password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

/**
 * On the sign-in page, make the account `name` with the form (restored from `phrase`, or new
 * keys), and come back to sign-in; resolves to its address.
 */
async function createAccount(page, name, phrase = '') {
  await fill(page, { '#new-name': name, '#new-password': PASSWORD, '#repeat-password': PASSWORD });
  if (phrase) await fill(page, { '#new-phrase': phrase });
  await Promise.all([page.waitForNavigation(), page.click('form[action="/account"] button')]);
  const address = await page.$eval('#new-address', (e) => e.textContent);
  if (!phrase) {
    assert.equal((await page.$eval('#new-phrase-words', (e) => e.textContent)).split(' ').length, 24, 'a new account shows its 24 words once');
  }
  await Promise.all([page.waitForNavigation(), page.click('main a[href="/signin"]')]);
  return address;
}

/**
 * `person`'s browser (its own cookies), on their own `medchain ui` and keystore, signed in;
 * the account is made through the page the first time.
 */
async function browse(person, { extra = [], extraEnv = {} } = {}) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  page.setDefaultNavigationTimeout(ACTION_TIMEOUT);
  await page.goto(await startUi(person, extra, extraEnv));
  if (!people[person]) people[person] = await createAccount(page, person);
  await signIn(page, person, PASSWORD);
  assert.match(page.url(), /\/home$/);
  return page;
}

/** Go to one of the dashboards. */
async function open(page, path) {
  await page.goto(new URL(path, page.url()).href);
  await assertLabelled(page);
}

/**
 * Start an action with `start` (a click or a key), follow its job page until it is
 * back at `back`, and resolve to the outcome it shows: `{ ok, text }`.
 */
async function act(page, start, back) {
  await Promise.all([page.waitForNavigation(), start()]);
  await page.waitForFunction(
    (b) => location.pathname === b && document.querySelector('main p.notice, main p.error'),
    { timeout: ACTION_TIMEOUT },
    back,
  );
  return page.$eval('main p.notice, main p.error', (e) => ({ ok: e.classList.contains('notice'), text: e.textContent }));
}

const click = (page, selector) => () => page.click(selector);

/** Fill the text inputs `values` (`{ '#id': 'text' }`). */
async function fill(page, values) {
  for (const [selector, value] of Object.entries(values)) {
    await page.$eval(selector, (e) => { e.value = ''; });
    await page.type(selector, value);
  }
}

/** Every visible control has a label, and every button a name. */
async function assertLabelled(page) {
  const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea, button', (controls) => controls
    .filter((c) => {
      if (c.tagName === 'BUTTON') return !(c.getAttribute('aria-label') || c.textContent.trim());
      if (c.getAttribute('aria-label')) return false;
      if (c.id && document.querySelector(`label[for="${c.id}"]`)) return false;
      return !c.closest('label');
    })
    .map((c) => c.outerHTML));
  assert.deepEqual(unlabelled, [], `unlabelled controls on ${page.url()}`);
}

const shot = (page, name) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const text = (page) => page.$eval('main', (e) => e.innerText);

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await Promise.all([node.start(), ipfs.start()]);
  baseEnv = {
    ...process.env,
    MEDCHAIN_NODE_URL: `http://127.0.0.1:${node.rpcPort}`,
    MEDCHAIN_IPFS_API: ipfs.url,
    MEDCHAIN_PASSWORD: PASSWORD,
  };
  delete baseEnv.MEDCHAIN_ACCOUNT;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  for (const ui of uis) ui.kill('SIGINT');
  await Promise.all([node.stop(), ipfs.stop()]);
});

test('the one-time link, a refused password, a forged form, signing out', async () => {
  const link = await startUi('alice');
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1200, height: 700 });
  await page.goto(link);
  assert.match(page.url(), /\/signin$/, 'the link leads to sign-in');
  await assertLabelled(page);
  // Alice, the dev chain's admin of hospital #0, restores her account from its phrase.
  assert.match(await text(page), /This keystore has no account yet/);
  await fill(page, { '#new-name': 'alice', '#new-password': PASSWORD, '#repeat-password': 'a different one' });
  await Promise.all([page.waitForNavigation(), page.click('form[action="/account"] button')]);
  assert.match(await page.$eval('[role=alert]', (e) => e.textContent), /the two passwords differ/);
  people.alice = await createAccount(page, 'alice', `${DEV_PHRASE}//Alice`);
  assert.equal(people.alice, (await ok('alice', ['account', 'show', 'alice'])).address, 'the page and the command line share the keystore');
  await shot(page, 'signin');

  await signIn(page, 'alice', 'not the password');
  assert.match(page.url(), /\/signin$/);
  assert.match(await page.$eval('[role=alert]', (e) => e.textContent), /wrong password for account 'alice'/);
  await shot(page, 'signin-wrong-password');

  await signIn(page, 'alice', PASSWORD);
  assert.match(page.url(), /\/home$/);
  assert.equal(await page.$eval('#address', (e) => e.textContent), people.alice);
  assert.match(await text(page), /Admin of .* \(#0\)/);
  await assertLabelled(page);

  // The link is spent: a browser without the session cookie is refused.
  const stranger = await browser.createBrowserContext();
  assert.equal((await (await stranger.newPage()).goto(link)).status(), 403);
  await stranger.close();

  // POSTs without the page's CSRF token (forged forms) are refused, and change nothing.
  const statuses = await page.evaluate(async (someone) => {
    const post = (path, body) => fetch(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    return [
      (await post('/signout', 'csrf=forged')).status,
      (await post('/act/admin-invite', `hospital=0&account=${someone}&role=patient`)).status,
    ];
  }, people.alice);
  assert.deepEqual(statuses, [403, 403]);
  await page.reload();
  assert.match(page.url(), /\/home$/, 'still signed in');

  // Sign out with the page's own form.
  await Promise.all([page.waitForNavigation(), page.click('header button[type=submit]')]);
  assert.match(page.url(), /\/signin$/);
  await page.goto(page.url().replace('/signin', '/home'));
  assert.match(page.url(), /\/signin$/, 'signed out: home leads to sign-in');
  await context.close();
});

test('the seed story, through the dashboards alone', async () => {
  const admin = await browse('alice');
  const patient = await browse('pat');
  const doctor = await browse('manal');
  const auditor = await browse('audra');

  // The admin invites the patient (desk registration) and the doctor.
  await open(admin, '/admin');
  for (const [who, role] of [['pat', 'patient'], ['manal', 'doctor']]) {
    await fill(admin, { '#invite-0-account': people[who] });
    await admin.select('#invite-0-role', role);
    const invited = await act(admin, click(admin, '#hospital-0 form[action="/act/admin-invite"] button'), '/admin');
    assert.ok(invited.ok, invited.text);
    assert.match(invited.text, new RegExp(`Invited ${people[who]} \\(${role[0].toUpperCase()}${role.slice(1)}\\)`));
  }
  await shot(admin, 'admin-invited');

  // The patient registers with a profile; it is encrypted to them, and they read it back.
  await patient.reload();
  assert.match(await text(patient), /Not registered on the chain yet/);
  // She names the hospital whose desk invited her (trust review, attack 2): none is chosen for her.
  await patient.select('#register-hospital', '0');
  await fill(patient, { '#register-name': 'Patience Okafor', '#register-birthDate': '02021987', '#register-phone': '+44 20 7946 0000' });
  await shot(patient, 'register');
  const registered = await act(patient, click(patient, 'form[action="/act/register-patient"] button'), '/patient');
  assert.ok(registered.ok, registered.text);
  assert.match(registered.text, /Registered .* as a patient at MedChain Dev Hospital \(#0\) \(block #\d+/);
  const profile = await text(patient);
  assert.match(profile, /Full name\s+Patience Okafor/);
  assert.match(profile, /Date of birth\s+1987-02-02/);

  // The doctor applies; the admin approves.
  await doctor.reload();
  await doctor.select('#apply-hospital', '0');
  await fill(doctor, { '#apply-name': 'Manal Haddad', '#apply-specialty': 'Cardiology', '#apply-licence': 'SN-CARD-0042' });
  const applied = await act(doctor, click(doctor, 'form[action="/act/apply-doctor"] button'), '/doctor');
  assert.ok(applied.ok, applied.text);
  assert.equal(await doctor.$eval('#doctor-status', (e) => e.textContent), 'Pending');
  await open(admin, '/admin');
  assert.match(await text(admin), /Applications[\s\S]*Dr\. Manal Haddad[\s\S]*Cardiology/);
  await shot(admin, 'admin-application');
  const approved = await act(admin, click(admin, 'button[aria-label="Approve Dr. Manal Haddad"]'), '/admin');
  assert.ok(approved.ok, approved.text);
  assert.match(approved.text, /Dr\. Manal Haddad approved/);

  // The doctor asks for read-write access to lab results, with a reason only the patient reads.
  await open(doctor, '/doctor');
  assert.equal(await doctor.$eval('#doctor-status', (e) => e.textContent), 'Active');
  await fill(doctor, { '#request-patient': people.pat, '#request-reason': 'Follow-up of your anaemia: I need your blood tests.' });
  await doctor.click('#request-LabResult');
  await doctor.select('#request-permission', 'read-write');
  await shot(doctor, 'doctor-request');
  const asked = await act(doctor, click(doctor, 'form[action="/act/request"] button'), '/doctor');
  assert.ok(asked.ok, asked.text);
  assert.match(asked.text, /Asked .* for access/);

  // The patient sees the request and its reason, and approves it from the keyboard.
  await open(patient, '/patient');
  const inbox = await text(patient);
  assert.match(inbox, /Dr\. Manal Haddad asks to read and add to LabResult/);
  assert.match(inbox, /Reason: “?Follow-up of your anaemia: I need your blood tests\.”?/);
  await shot(patient, 'patient-request');
  await patient.focus('button[aria-label="Approve Dr. Manal Haddad"]');
  const granted = await act(patient, () => patient.keyboard.press('Enter'), '/patient');
  assert.ok(granted.ok, granted.text);
  assert.match(granted.text, /Approved Dr\. Manal Haddad's request \(LabResult\), 0 record keys shared \(block #\d+, finalized\)/);
  assert.match(await text(patient), /Who can read your records[\s\S]*Dr\. Manal Haddad[\s\S]*ReadWrite/);

  // The doctor creates a record from a 5 MiB file, uploaded with a progress bar.
  const original = randomBytes(5 * 1024 * 1024);
  const file = join(work, 'blood-panel.bin');
  writeFileSync(file, original);
  await open(doctor, '/doctor');
  assert.match(await text(doctor), /You may read and add to LabResult/);
  await doctor.select('#create-category', 'LabResult');
  await (await doctor.$('#create-file')).uploadFile(file);
  await shot(doctor, 'doctor-create');
  const created = await act(doctor, click(doctor, '#create button[type=submit]'), '/doctor');
  assert.ok(created.ok, created.text);
  const record = created.text.match(/Record (\d+) created: LabResult, (baf[a-z0-9]+), keys for 2 readers/);
  assert.ok(record, created.text);
  const [, id, cid] = record;

  // The patient sees the record (author by name, CID) and downloads the same bytes.
  await open(patient, '/patient');
  assert.match(await text(patient), new RegExp(`Record ${id}: LabResult[\\s\\S]*v1 \\(current\\)\\s+Dr\\. Manal Haddad[\\s\\S]*${cid}`));
  await shot(patient, 'patient-records');
  await Promise.all([patient.waitForNavigation(), patient.click(`button[aria-label="Open record ${id} version 1"]`)]);
  await patient.waitForSelector('#download', { timeout: ACTION_TIMEOUT });
  const job = await text(patient);
  assert.match(job, /Pending: the node took the call/);
  assert.match(job, /In block #\d+/);
  assert.match(job, new RegExp(`Record ${id} version 1 verified against ${cid} and decrypted \\(5\\.0 MiB\\)`));
  await shot(patient, 'patient-download');
  const downloaded = await patient.$eval('#download', async (a) => {
    const bytes = new Uint8Array(await (await fetch(a.href)).arrayBuffer());
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return { length: bytes.length, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
  });
  assert.deepEqual(downloaded, { length: original.length, sha256: createHash('sha256').update(original).digest('hex') });
  assert.equal((await patient.evaluate(async (href) => (await fetch(href)).status, await patient.$eval('#download', (a) => a.href))), 404, 'a download is sent once');

  // The patient revokes the doctor, then rotates the record's key.
  await open(patient, '/patient');
  const revoked = await act(patient, click(patient, 'button[aria-label="Revoke Dr. Manal Haddad"]'), '/patient');
  assert.ok(revoked.ok, revoked.text);
  assert.match(revoked.text, /Revoked Dr\. Manal Haddad's access/);
  assert.match(await text(patient), /Nobody but you/);
  const rotated = await act(patient, click(patient, `button[aria-label="Rotate the key of record ${id}"]`), '/patient');
  assert.ok(rotated.ok, rotated.text);
  assert.match(rotated.text, new RegExp(`Record ${id} re-encrypted under epoch 1 for 1 readers`));
  await shot(patient, 'patient-rotated');

  // The revoked doctor is refused, in the command line's words.
  await open(doctor, '/doctor');
  await doctor.click('#patients details summary');
  await fill(doctor, { '#open-record': id });
  const refused = await act(doctor, click(doctor, '#patients form[action="/act/doctor-open"] button'), '/doctor');
  assert.equal(refused.ok, false, refused.text);
  assert.match(refused.text, /Dr\. Manal Haddad has no grant covering LabResult records of this patient/);
  await shot(doctor, 'doctor-refused');

  // Break-glass: marked on the doctor's page, a red banner on the patient's until the
  // doctor's hospital closes its review.
  await fill(doctor, { '#emergency-patient': people.pat });
  await doctor.select('#emergency-reason', 'patient-unconscious');
  await doctor.click('#emergency input[name=confirm]');
  const glass = await act(doctor, click(doctor, '#emergency button[type=submit]'), '/doctor');
  assert.ok(glass.ok, glass.text);
  assert.match(glass.text, /Emergency access to .* records for 4 hours; your hospital will review it/);
  assert.match(await text(doctor), /Emergency access\./);
  await open(patient, '/patient');
  assert.match(await patient.$eval('.banner', (e) => e.textContent), /Emergency access: Dr\. Manal Haddad opened your records at .* \(PatientUnconscious\)/);
  await shot(patient, 'patient-emergency');
  await open(admin, '/admin');
  assert.match(await text(admin), /Emergency accesses to review[\s\S]*Dr\. Manal Haddad[\s\S]*PatientUnconscious/);
  await shot(admin, 'admin-review');
  const reviewed = await act(admin, click(admin, 'button[aria-label^="Justified"]'), '/admin');
  assert.ok(reviewed.ok, reviewed.text);
  assert.match(reviewed.text, /Closed the review of emergency access \d+: justified/);
  assert.match(await text(admin), /None awaiting review/);
  await open(patient, '/patient');
  assert.equal(await patient.$('.banner'), null, 'the banner is gone once reviewed');

  // The auditor reads the patient's whole trail, verified, filters it, and exports it.
  await open(auditor, `/audit?entity=${people.pat}`);
  assert.match(await auditor.$eval('#verdict', (e) => e.textContent), /Hash chain verified: all \d+ entries/);
  const trail = await text(auditor);
  for (const action of ['AccessRequested', 'AccessRequestApproved', 'RecordCreated', 'RecordOpened', 'AccessRevoked', 'RecordKeyRotated', 'EmergencyAccessOpened', 'EmergencyReviewClosed']) {
    assert.match(trail, new RegExp(action), `the trail shows ${action}`);
  }
  await shot(auditor, 'audit');
  await auditor.select('#audit-action', 'RecordOpened');
  await Promise.all([auditor.waitForNavigation(), auditor.click('form[action="/audit"] button')]);
  assert.match(await text(auditor), /1 of \d+ entries shown/);
  const exported = await auditor.evaluate(async () => {
    const csv = await (await fetch(document.querySelector('#export-csv').href)).text();
    const json = await (await fetch(document.querySelector('#export-json').href)).json();
    return { csv, json };
  });
  assert.match(exported.csv, /^seq,time,block,actor,action,details,prev,hash\n\d+,.*,RecordOpened,/);
  assert.equal(exported.csv.trim().split('\n').length, 2);
  assert.equal(exported.json.verified, true);
  assert.deepEqual(exported.json.entries.map((e) => e.action.type), ['RecordOpened']);

  // The patient names a guardian (the auditor's account); acting for the patient, the
  // guardian sees the records (not the profile, sealed to the patient) and ends the
  // doctor's emergency grant. The trail records it under the guardian's name.
  await open(patient, '/patient');
  await fill(patient, { '#guardian-address': people.audra });
  const named = await act(patient, click(patient, 'form[action="/act/add-guardian"] button'), '/patient');
  assert.ok(named.ok, named.text);
  assert.match(named.text, /is now a guardian: they may act for you/);
  await open(auditor, '/patient');
  assert.match(await text(auditor), /You are the guardian of:/);
  await Promise.all([auditor.waitForNavigation(), auditor.click(`a[href="/patient?for=${people.pat}"]`)]);
  await assertLabelled(auditor);
  const ward = await text(auditor);
  assert.match(ward, /You act for the patient .* as their guardian/);
  assert.match(ward, /sealed to the patient's own key/);
  assert.match(ward, new RegExp(`Record ${id}: LabResult`));
  assert.match(ward, /Who can read the patient's records[\s\S]*Dr\. Manal Haddad \(emergency\)/);
  await shot(auditor, 'guardian');
  const ended = await act(auditor, click(auditor, 'button[aria-label="Revoke Dr. Manal Haddad"]'), '/patient');
  assert.ok(ended.ok, ended.text);
  assert.match(ended.text, /Revoked Dr\. Manal Haddad's access/);
  assert.match(await text(auditor), /Nobody but the patient/);
  const byGuardian = (await ok('pat', ['audit', 'trail', people.pat])).entries.at(-1);
  assert.equal(byGuardian.action.type, 'AccessRevoked');
  assert.deepEqual(byGuardian.actor, { kind: 'account', account: people.audra });

  for (const page of [admin, patient, doctor, auditor]) await page.browserContext().close();
});

test('a file the store tampered with is refused, and nothing is decrypted', async () => {
  // An IPFS API that answers every `cat` with changed bytes.
  const liar = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(randomBytes(1024));
  });
  await new Promise((resolve) => liar.listen(0, '127.0.0.1', resolve));
  try {
    const patient = await browse('pat', { extraEnv: { MEDCHAIN_IPFS_API: `http://127.0.0.1:${liar.address().port}` } });
    await open(patient, '/patient');
    const button = await patient.$('button[aria-label^="Open record"]');
    const refused = await act(patient, () => button.click(), '/patient');
    assert.equal(refused.ok, false, refused.text);
    assert.match(refused.text, /hash to .*, not to .* as the chain records: the download was refused and nothing was decrypted/);
    await shot(patient, 'patient-tampered');
    await patient.browserContext().close();
  } finally {
    await new Promise((resolve) => liar.close(resolve));
  }
});

test('a session idle past its timeout is signed out', async () => {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.goto(await startUi('alice', ['--idle-timeout', '1']));
  await signIn(page, 'alice', PASSWORD);
  assert.match(page.url(), /\/home$/);
  // The timeout is the condition: a request after it finds the session signed out.
  await sleep(1_500);
  await page.reload();
  assert.match(page.url(), /\/signin$/);
  assert.match(await page.$eval('[role=status]', (e) => e.textContent), /signed out after 1 second without activity/);
  await context.close();
});
