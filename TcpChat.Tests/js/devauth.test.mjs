// Supabase's own JavaScript client against the embedded endpoint: if auth-js accepts every answer, so will apps.
// Run by the NUnit test DevAuthJavaScriptClientTests, which starts DevAuth and passes its address in the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { GoTrueClient } from '@supabase/auth-js';

const root = process.env.DEVAUTH_URL;
const anonKey = process.env.DEVAUTH_ANON_KEY;
const secretKey = process.env.DEVAUTH_SECRET_KEY;
if (!root || !anonKey || !secretKey) {
  throw new Error('DEVAUTH_URL, DEVAUTH_ANON_KEY and DEVAUTH_SECRET_KEY must be set (the NUnit suite sets them)');
}
const authUrl = `${root.replace(/\/$/, '')}/auth/v1`;

function newClient() {
  return new GoTrueClient({
    url: authUrl,
    headers: { apikey: anonKey, Authorization: `Bearer ${anonKey}` },
    persistSession: false,
    autoRefreshToken: false,
    detectSessionInUrl: false,
  });
}

function newEmail() {
  return `js-${randomUUID()}@example.com`;
}

/** The newest mail of a kind to an address, from the development mailbox listing. */
async function lastMail(email, type) {
  const response = await fetch(`${authUrl}/_dev/mail?email=${encodeURIComponent(email)}`, {
    headers: { apikey: secretKey, Authorization: `Bearer ${secretKey}` },
  });
  assert.equal(response.status, 200, await response.clone().text());
  const { messages } = await response.json();
  const mails = messages.filter((m) => m.type === type);
  assert.ok(mails.length > 0, `no ${type} mail to ${email} in ${JSON.stringify(messages.map((m) => m.type))}`);
  const mail = mails[mails.length - 1];
  assert.match(mail.token, /^\d{6}$/);
  return mail;
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const value = alphabet.indexOf(c);
    assert.ok(value >= 0, `not base32: ${c}`);
    bits += value.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) {
    bytes.push(parseInt(bits.slice(i, i + 8), 2));
  }
  return Buffer.from(bytes);
}

/** RFC 6238 TOTP: HMAC-SHA1 over the 30-second counter, dynamic truncation, 6 digits. */
function totp(secret, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
}

function claims(accessToken) {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'));
}

test('RFC 6238 test vector', () => {
  // The SHA1 vector of RFC 6238 appendix B at T = 59 s, truncated to 6 digits.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // base32 of "12345678901234567890"
  assert.equal(totp(secret, 59_000), '287082');
});

test('signUp needs a confirmation; verifyOtp(signup) with the mailed code signs in', async () => {
  const auth = newClient();
  const email = newEmail();
  const { data, error } = await auth.signUp({ email, password: 'first-secret-1' });
  assert.equal(error, null);
  assert.equal(data.session, null, 'confirmations are on: no session before the code');
  assert.equal(data.user.email, email);

  const login = await auth.signInWithPassword({ email, password: 'first-secret-1' });
  assert.equal(login.error?.code, 'email_not_confirmed');

  const mail = await lastMail(email, 'signup');
  const verified = await auth.verifyOtp({ email, token: mail.token, type: 'signup' });
  assert.equal(verified.error, null);
  assert.ok(verified.data.session.access_token);
  assert.ok(verified.data.user.email_confirmed_at);
  assert.equal(claims(verified.data.session.access_token).amr[0].method, 'otp');

  const again = await auth.verifyOtp({ email, token: mail.token, type: 'signup' });
  assert.equal(again.error?.code, 'otp_expired', 'a code works once');
});

test('verifyOtp with a token_hash from the mail', async () => {
  const auth = newClient();
  const email = newEmail();
  await auth.signUp({ email, password: 'first-secret-1' });
  const mail = await lastMail(email, 'signup');
  const { data, error } = await auth.verifyOtp({ token_hash: mail.token_hash, type: 'email' });
  assert.equal(error, null);
  assert.equal(data.user.email, email);
});

test('password recovery: resetPasswordForEmail, verifyOtp(recovery), updateUser(password)', async () => {
  const auth = newClient();
  const email = newEmail();
  await auth.signUp({ email, password: 'first-secret-1' });
  await auth.verifyOtp({ email, token: (await lastMail(email, 'signup')).token, type: 'signup' });
  await auth.signOut();

  const reset = await auth.resetPasswordForEmail(email);
  assert.equal(reset.error, null);
  const mail = await lastMail(email, 'recovery');
  const wrong = await auth.verifyOtp({ email, token: mail.token === '000000' ? '111111' : '000000', type: 'recovery' });
  assert.equal(wrong.error?.code, 'otp_expired');

  const { data, error } = await auth.verifyOtp({ email, token: mail.token, type: 'recovery' });
  assert.equal(error, null);
  assert.ok(data.session);

  const same = await auth.updateUser({ password: 'first-secret-1' });
  assert.equal(same.error?.code, 'same_password');
  const updated = await auth.updateUser({ password: 'second-secret-2' });
  assert.equal(updated.error, null);

  const fresh = newClient();
  assert.equal((await fresh.signInWithPassword({ email, password: 'first-secret-1' })).error?.code, 'invalid_credentials');
  assert.equal((await fresh.signInWithPassword({ email, password: 'second-secret-2' })).error, null);
});

test('updateUser(data) merges user_metadata; reauthenticate mails a nonce that updateUser accepts', async () => {
  const auth = newClient();
  const email = newEmail();
  await auth.signUp({ email, password: 'first-secret-1', options: { data: { nick: 'js' } } });
  await auth.verifyOtp({ email, token: (await lastMail(email, 'signup')).token, type: 'signup' });

  const meta = await auth.updateUser({ data: { colour: 'blue' } });
  assert.equal(meta.error, null);
  assert.deepEqual(meta.data.user.user_metadata, { nick: 'js', colour: 'blue' });

  const reauth = await auth.reauthenticate();
  assert.equal(reauth.error, null);
  const nonce = (await lastMail(email, 'reauthentication')).token;
  const changed = await auth.updateUser({ password: 'second-secret-2', nonce });
  assert.equal(changed.error, null);
  assert.equal((await newClient().signInWithPassword({ email, password: 'second-secret-2' })).error, null);
});

test('TOTP: enroll, challenge, verify raises the session to aal2, unenroll', async () => {
  const auth = newClient();
  const email = newEmail();
  await auth.signUp({ email, password: 'first-secret-1' });
  await auth.verifyOtp({ email, token: (await lastMail(email, 'signup')).token, type: 'signup' });

  const enrolled = await auth.mfa.enroll({ factorType: 'totp', friendlyName: 'phone app' });
  assert.equal(enrolled.error, null);
  assert.equal(enrolled.data.type, 'totp');
  assert.match(enrolled.data.totp.qr_code, /^data:image\/svg\+xml;utf-8,<svg/);
  assert.match(enrolled.data.totp.uri, /^otpauth:\/\/totp\//);
  const factorId = enrolled.data.id;
  const secret = enrolled.data.totp.secret;

  const challenge = await auth.mfa.challenge({ factorId });
  assert.equal(challenge.error, null);
  assert.ok(challenge.data.expires_at > Date.now() / 1000);

  const wrong = await auth.mfa.verify({ factorId, challengeId: challenge.data.id, code: totp(secret) === '000000' ? '111111' : '000000' });
  assert.equal(wrong.error?.code, 'mfa_verification_failed');

  const before = await auth.getSession();
  const verified = await auth.mfa.verify({ factorId, challengeId: challenge.data.id, code: totp(secret) });
  assert.equal(verified.error, null);
  const token = claims(verified.data.access_token);
  assert.equal(token.aal, 'aal2');
  assert.deepEqual(token.amr.map((a) => a.method), ['totp', 'otp']);
  assert.equal(token.session_id, claims(before.data.session.access_token).session_id, 'the same session, raised');

  const level = await auth.mfa.getAuthenticatorAssuranceLevel();
  assert.equal(level.error, null);
  assert.equal(level.data.currentLevel, 'aal2');
  const factors = await auth.mfa.listFactors();
  assert.equal(factors.data.totp.length, 1);
  assert.equal(factors.data.totp[0].status, 'verified');

  // A new password login of an MFA user starts at aal1 and must step up.
  const other = newClient();
  await other.signInWithPassword({ email, password: 'first-secret-1' });
  const otherLevel = await other.mfa.getAuthenticatorAssuranceLevel();
  assert.equal(otherLevel.data.currentLevel, 'aal1');
  assert.equal(otherLevel.data.nextLevel, 'aal2');
  const blocked = await other.mfa.unenroll({ factorId });
  assert.equal(blocked.error?.code, 'insufficient_aal');

  const removed = await auth.mfa.unenroll({ factorId });
  assert.equal(removed.error, null);
  assert.equal(removed.data.id, factorId);
});

test('signInAnonymously gives an is_anonymous session', async () => {
  const auth = newClient();
  const { data, error } = await auth.signInAnonymously();
  assert.equal(error, null);
  assert.equal(data.user.is_anonymous, true);
  const token = claims(data.session.access_token);
  assert.equal(token.is_anonymous, true);
  assert.equal(token.role, 'authenticated');
  assert.equal(token.amr[0].method, 'anonymous');
  const user = await auth.getUser();
  assert.equal(user.error, null);
  assert.equal(user.data.user.id, data.user.id);
});
