import { z } from 'zod';
import { ContractError, checkContract, parse } from '../../helpers/contracts/check';
import { expect, test } from '../../fixtures';

const Task = z.object({ id: z.string(), status: z.enum(['queued', 'completed']) });

const responseWith = (body: string, status = 200) => ({
  status: () => status,
  url: () => 'http://api.test/api/v1/tasks/t1?x=1',
  text: async () => body,
});

test('a matching body is returned typed', async () => {
  const task = await parse(responseWith('{"id":"t1","status":"queued","extra":true}'), Task);
  expect(task).toEqual({ id: 't1', status: 'queued' });
});

test('a mismatch explains itself with the zod path and message and shows the body', async () => {
  const failure = parse(responseWith(JSON.stringify({ id: 't1', state: 'queued', token: 'secret-token' })), Task);
  await expect(failure).rejects.toThrow(ContractError);
  await expect(failure).rejects.toThrow(
    [
      'Contract violation: /api/v1/tasks/t1 (HTTP 200) does not match the schema.',
      '✖ Invalid option: expected one of "queued"|"completed"',
      '  → at status',
      '',
      'Body:',
      '{',
      '  "id": "t1",',
      '  "state": "queued",',
      '  "token": "[REDACTED]"',
      '}',
    ].join('\n'),
  );
});

test('a body that is not JSON is a contract violation too', async () => {
  await expect(parse(responseWith('<html>502 Bad Gateway</html>', 502), Task)).rejects.toThrow(
    'Contract violation: /api/v1/tasks/t1 (HTTP 502) is not JSON.\n\nBody:\n<html>502 Bad Gateway</html>',
  );
});

test('checkContract reports success without throwing', () => {
  expect(checkContract(Task, { id: 't1', status: 'completed' })).toEqual({
    success: true,
    data: { id: 't1', status: 'completed' },
  });
  expect(checkContract(Task, { id: 1, status: 'completed' })).toMatchObject({ success: false });
});

test('toMatchSchema fails with the zod explanation and the body', async () => {
  await expect(expect({ id: 't1', status: 'lost' }).toMatchSchema(Task)).rejects.toThrow(
    /The body does not match the schema:\n✖ Invalid option: expected one of "queued"\|"completed"\n {2}→ at status\n\nBody:\n\{\n {2}"id": "t1",\n {2}"status": "lost"\n\}/,
  );
  await expect({ id: 't1', status: 'queued' }).toMatchSchema(Task);
  await expect({ id: 't1' }).not.toMatchSchema(Task);
});
