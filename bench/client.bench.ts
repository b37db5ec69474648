import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { createApiClient } from '../helpers/http/client';
import { checkingConformance, conformanceChecker } from '../helpers/openapi/conformance';
import { readOpenApiDocument } from '../helpers/openapi/document';
import { openApiDocumentSetting } from '../helpers/settings/openapi';
import { percentile } from '../helpers/reports/statistics';
import { readEnv } from '../helpers/env';
import { expect, test } from '../fixtures';

// How much does instrumenting a call (timing, redaction, a report step with two attachments)
// add to it? Each round sends the same request once per variant, in a shuffled order.
const ROUNDS = 300;
const WARM_UP_ROUNDS = 30;
// Any route that answers 200 to the default role will do; the health path is one every API has.
const PATH = readEnv().healthPath;

test('instrumented calls cost against plain APIRequestContext calls', async ({
  playwright,
  api,
  _roleSessions,
  _reportExchange,
  env,
}) => {
  const auth = _roleSessions.of(env.defaultRole);
  const header = await auth?.header();
  const context = await playwright.request.newContext({
    baseURL: env.baseURL,
    extraHTTPHeaders: header ? { [header.name]: header.value } : {},
  });
  const timingOnly = createApiClient(context, { ...(auth ? { auth } : {}), report: async (_start, send) => send() });
  // The api fixture's reporting, each answer also checked against the OpenAPI document (when there is one).
  const generated = path.join(__dirname, '..', 'api', 'generated', 'openapi.json');
  const source = openApiDocumentSetting(env) ?? (existsSync(generated) ? generated : undefined);
  const checker = source === undefined ? undefined : conformanceChecker((await readOpenApiDocument(source)).document);
  const conforming = checker
    ? createApiClient(context, {
        ...(auth ? { auth } : {}),
        identity: env.defaultRole,
        report: checkingConformance(_reportExchange, checker, () => Promise.reject(new Error('nonconforming'))),
      })
    : undefined;
  type Variant = [name: string, call: () => Promise<{ status(): number }>];
  const variants: Variant[] = [
    ['plain APIRequestContext', () => context.get(PATH)],
    ['instrumented, not reported', () => timingOnly.get(PATH)],
    ['instrumented and reported', () => api.get(PATH)],
    ...(conforming
      ? [['instrumented, reported and checked against the document', () => conforming.get(PATH)] as Variant]
      : []),
  ];
  const samples = new Map(variants.map(([name]) => [name, [] as number[]]));
  // The worker's own CPU time per call besides the wall time: on a busy machine the wall time of a
  // call grows with every other process's, its CPU time much less.
  const cpu = new Map(variants.map(([name]) => [name, [] as number[]]));
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

  for (let round = 0; round < WARM_UP_ROUNDS + ROUNDS; round += 1) {
    const order = [...variants].sort(() => random() - 0.5);
    for (const [name, call] of order) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const response = await call();
      const elapsed = performance.now() - started;
      const cpuUsed = process.cpuUsage(cpuBefore);
      expect(response.status()).toBe(200);
      if (round >= WARM_UP_ROUNDS) {
        samples.get(name)!.push(elapsed);
        cpu.get(name)!.push((cpuUsed.user + cpuUsed.system) / 1000);
      }
    }
  }
  // The check alone, in process, on the answer of PATH: what conformance adds to a call, without the network's noise.
  const answer = await context.get(PATH);
  const checked = {
    method: 'GET',
    path: PATH,
    status: answer.status(),
    headers: answer.headers(),
    body: await answer.text(),
  };
  const checkStarted = performance.now();
  for (let i = 0; i < 10_000; i += 1) checker?.check(checked);
  const checkUs = checker ? Math.round((performance.now() - checkStarted) / 10) / 1000 : undefined;
  await context.dispose();

  const plain = samples.get('plain APIRequestContext')!;
  const plainCpu = cpu.get('plain APIRequestContext')!;
  const rows = [...samples].map(([variant, ms]) => ({
    variant,
    calls: ms.length,
    medianMs: round2(percentile(ms, 50)),
    p95Ms: round2(percentile(ms, 95)),
    medianOverheadMs: round2(percentile(ms, 50) - percentile(plain, 50)),
    p95OverheadMs: round2(percentile(ms, 95) - percentile(plain, 95)),
    medianCpuMs: round2(percentile(cpu.get(variant)!, 50)),
    medianCpuOverheadMs: round2(percentile(cpu.get(variant)!, 50) - percentile(plainCpu, 50)),
  }));
  console.log(
    `Load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(', ')} at the end.`,
  );
  console.log(`\nGET ${PATH}, ${ROUNDS} calls per variant against ${env.baseURL}:`);
  console.table(rows);
  if (checkUs !== undefined) console.log(`The conformance check alone: ${checkUs} ms per answer (10,000 checks).`);
  const out = path.join(__dirname, 'results', 'client.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(rows, null, 2)}\n`);
  console.log(`Written to ${path.relative(process.cwd(), out)}`);
});

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
