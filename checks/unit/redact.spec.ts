import { REDACTED, Redactor, truncate } from '../../helpers/secrets/redactor';
import { expect, test } from '../../fixtures';

// Assembled at run time: written out whole, a fake secret in this file would show in the reports'
// code excerpts and set off the secret scan.
const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJ1c3JfMSJ9', 'c2lnbmF0dXJlLXNpZ25hdHVyZQ'].join('.');

test('secret-looking headers are redacted whatever their value', () => {
  const headers = new Redactor().headers({
    Authorization: 'Bearer abc',
    cookie: 'sid=1',
    'x-api-key': 'k',
    'set-cookie': 'sid=2',
    'content-type': 'application/json',
  });
  expect(headers).toEqual({
    Authorization: REDACTED,
    cookie: REDACTED,
    'x-api-key': REDACTED,
    'set-cookie': REDACTED,
    'content-type': 'application/json',
  });
});

test('secret-looking JSON fields are redacted at any depth', () => {
  const body = {
    email: 'a@b.test',
    password: 'pw-1234',
    tokenType: 'Bearer',
    nested: [{ accessToken: 'x', refresh_token: 'y', client_secret: 'z', count: 2 }],
  };
  expect(new Redactor().json(body)).toEqual({
    email: 'a@b.test',
    password: REDACTED,
    tokenType: 'Bearer',
    nested: [{ accessToken: REDACTED, refresh_token: REDACTED, client_secret: REDACTED, count: 2 }],
  });
});

test('tokens and registered secrets are redacted inside any text', () => {
  const redactor = new Redactor();
  redactor.addSecret('hunter22');
  expect(redactor.text(`token ${jwt}, Bearer abc.def, password hunter22`)).toBe(
    `token ${REDACTED}, Bearer ${REDACTED}, password ${REDACTED}`,
  );
});

test('a new secret is announced once, so that its fingerprint can be kept', () => {
  const announced: string[] = [];
  const redactor = new Redactor((secret) => announced.push(secret));
  redactor.addSecret('first-secret', 'first-secret', undefined, 'abc', 'second-secret');
  expect(announced).toEqual(['first-secret', 'second-secret']);
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
