import { REDACTED, Redactor, truncate } from '../../helpers/secrets/redactor';
import { expect, test } from '../../fixtures';

// Assembled at run time: written out whole, a fake secret in this file would show in the reports'
// code excerpts and set off the secret scan.
const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJ1c3JfMSJ9', 'c2lnbmF0dXJlLXNpZ25hdHVyZQ'].join('.');
const token = ['tok', 'live', 'Zx81qPv3Rm'].join('-');

function knowing(...secrets: string[]): Redactor {
  const redactor = new Redactor();
  redactor.addSecret(...secrets);
  return redactor;
}

test('credential headers are redacted whatever their value, harmless ones stay readable', () => {
  const redactor = new Redactor();
  redactor.addSecretHeader('X-Client-Auth');
  const headers = redactor.headers({
    Authorization: 'token abc',
    'Proxy-Authorization': 'Basic abc',
    cookie: 'sid=1',
    'set-cookie': 'sid=2',
    'x-api-key': 'k',
    'Private-Token': 'k',
    'x-auth-token': 'k',
    'X-Client-Secret': 'k',
    'x-session-id': 'k',
    'x-client-auth': 'k',
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': 'Authorization, X-API-Key',
    'x-ratelimit-remaining': '41',
    'www-authenticate': 'Bearer realm="api", error="invalid_token"',
    'content-type': 'application/json',
  });
  expect(headers).toEqual({
    Authorization: REDACTED,
    'Proxy-Authorization': REDACTED,
    cookie: REDACTED,
    'set-cookie': REDACTED,
    'x-api-key': REDACTED,
    'Private-Token': REDACTED,
    'x-auth-token': REDACTED,
    'X-Client-Secret': REDACTED,
    'x-session-id': REDACTED,
    'x-client-auth': REDACTED,
    'access-control-allow-credentials': 'true',
    'access-control-allow-headers': 'Authorization, X-API-Key',
    'x-ratelimit-remaining': '41',
    'www-authenticate': 'Bearer realm="api", error="invalid_token"',
    'content-type': 'application/json',
  });
});

test('secret-looking JSON fields are redacted at any depth, flags and counts are not', () => {
  const body = {
    email: 'a@b.test',
    password: 'pw-1234',
    tokenType: 'Bearer',
    withCredentials: true,
    nested: [{ accessToken: 'x', refresh_token: 'y', client_secret: 'z', count: 2 }],
  };
  expect(new Redactor().json(body)).toEqual({
    email: 'a@b.test',
    password: REDACTED,
    tokenType: 'Bearer',
    withCredentials: true,
    nested: [{ accessToken: REDACTED, refresh_token: REDACTED, client_secret: REDACTED, count: 2 }],
  });
});

test('tokens and registered secrets are redacted inside any text', () => {
  expect(knowing('hunter22').text(`token ${jwt}, Bearer abc.def, password hunter22`)).toBe(
    `token ${REDACTED}, Bearer ${REDACTED}, password ${REDACTED}`,
  );
});

test('a secret is redacted in the forms reports and APIs encode it in', () => {
  const secret = `${token}/+=?&"`;
  const redactor = knowing(secret);
  const base64AtOffset = (offset: number) => Buffer.from(`${'.'.repeat(offset)}${secret}!`).toString('base64');
  for (const encoded of [
    JSON.stringify({ value: secret }),
    `?token=${encodeURIComponent(secret)}`,
    `<td>${secret.replaceAll('&', '&amp;').replaceAll('"', '&quot;')}</td>`,
    base64AtOffset(0),
    base64AtOffset(1),
    base64AtOffset(2),
    Buffer.from(`:${secret}`).toString('base64url'),
  ]) {
    expect(redactor.text(encoded)).toContain(REDACTED);
  }
  expect(redactor.text(base64AtOffset(1))).not.toMatch(/[A-Za-z0-9+/]{12,}/);
});

test('a secret split by the colour codes of a diff is redacted whole, the codes kept', () => {
  const diff = `Received: "tok-live-\u001b[31mZx81\u001b[39m\u001b[7mqPv3Rm\u001b[27m"`;
  expect(knowing(token).text(diff)).toBe(`Received: "${REDACTED}\u001b[31m\u001b[39m\u001b[7m\u001b[27m"`);
  // And as a JSON file writes the codes.
  const escaped = JSON.stringify(diff).slice(1, -1);
  expect(knowing(token).text(escaped)).not.toContain('qPv3Rm');
});

test('a value the API sends under a secret name becomes a secret: redacted wherever else it turns up', () => {
  const redactor = new Redactor();
  const signingSecret = ['whsec', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'].join('_');
  expect(redactor.json({ secret: signingSecret, status: 'active' })).toEqual({ secret: REDACTED, status: 'active' });
  expect(redactor.text(`expected "x", received "${signingSecret}"`)).toBe(`expected "x", received "${REDACTED}"`);
  redactor.headers({ 'set-cookie': 'sid=s3ss10n-Vq8LmZ2w; Path=/; HttpOnly' });
  expect(redactor.text('session s3ss10n-Vq8LmZ2w')).toBe(`session ${REDACTED}`);
  // Words, flags and placeholders under such names are not secrets.
  redactor.json({ token: 'pending', password: 'changeme', secret: REDACTED });
  expect(redactor.text('pending changeme')).toBe('pending changeme');
});

test('code quoted from a spec and auth parameters are not taken for credentials', () => {
  const redactor = new Redactor();
  for (const text of [
    'Authorization: z.number(),',
    'headers: { authorization: `Bearer ${token}` }',
    'WWW-Authenticate: Bearer realm="api"',
    'Basic information',
    'url: `/login?token=${token}`',
  ]) {
    expect(redactor.text(text)).toBe(text);
  }
  expect(redactor.text('Authorization: token ghp_16C7e42F292c6912E7710c838347Ae178B4a')).toBe(
    `Authorization: token ${REDACTED}`,
  );
});

test('a file name loses the secrets in it, as Playwright writes them, and with partial a cut one too', () => {
  const redactor = knowing('partner.key_8Hd3Lq');
  expect(redactor.fileName('spec-a-title-partner-key-8Hd3Lq-api')).toBe('spec-a-title-REDACTED-api');
  expect(redactor.fileName('spec-a-ti-7cd62-tner-key-8Hd3Lq', true)).toBe('spec-a-ti-7cd62-REDACTED');
  expect(redactor.fileName('spec-a-ti-7cd62-tner-key-8Hd3Lq')).toBe('spec-a-ti-7cd62-tner-key-8Hd3Lq');
});

test('a new secret is announced once, so that its fingerprint can be kept', () => {
  const announced: string[] = [];
  const redactor = new Redactor((secret) => announced.push(secret));
  redactor.addSecret('first-secret', 'first-secret', undefined, 'abc', 'second-secret');
  expect(announced).toEqual(['first-secret', 'second-secret']);
  expect(redactor.version).toBe(2);
});

test('a body is pretty-printed JSON when it can be, redacted text otherwise', () => {
  const redactor = new Redactor();
  expect(redactor.body('{"token":"t","n":1}')).toBe(`{\n  "token": "${REDACTED}",\n  "n": 1\n}`);
  expect(redactor.body(`not json ${jwt}`)).toBe(`not json ${REDACTED}`);
});

test('a long text is truncated with a note of its length', () => {
  expect(truncate('abcdef', 3)).toBe('abc\n… [truncated: showing 3 of 6 characters]');
  expect(truncate('abc', 3)).toBe('abc');
});
