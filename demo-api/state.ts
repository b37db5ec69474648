import { createHash, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { DemoConfig, Fault, Role } from './config';
import { Holds } from './holds';
import { type Distribution, distributionFrom } from './latency';
import { ProvisioningQueue, type Provisioning } from './provisioning';
import { RequestStats } from './stats';
import type { Task } from './tasks';
import { Webhooks } from './webhooks';
import { WorkerPool } from './worker-pool';

export type Account = {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
  createdAt: Date;
  provisioning: Provisioning | null;
};

declare module 'fastify' {
  interface FastifyRequest {
    account: Account | null;
    /** DEMO_FAULTS, plus the faults this request asks for in its x-demo-faults header. */
    faults: ReadonlySet<Fault>;
    /** The e-mail this request acts for, for the per-actor request counters. */
    actor: string | undefined;
  }
}

/** Everything one demo API instance remembers; each route plugin gets it as its `state` option. */
export type DemoState = Readonly<{
  config: DemoConfig;
  /** By e-mail. */
  accounts: Map<string, Account>;
  tasks: Map<string, Task>;
  /** The workers that run the tasks, behind their queue. */
  workers: WorkerPool;
  /** How long an image generation takes (DEMO_TASK_MEDIAN_MS, DEMO_TASK_P95_MS), before the latency scale. */
  taskDuration: Distribution;
  /** In-flight exports by account id. */
  inFlightExports: Map<string, number>;
  stats: RequestStats;
  holds: Holds;
  queue: ProvisioningQueue;
  webhooks: Webhooks;
  /** Ends each open server-sent event stream, so that closing the app does not wait on them. */
  eventStreams: Set<() => void>;
}>;

export type StateOptions = { state: DemoState };

export const hashPassword = (password: string) => createHash('sha256').update(password).digest('hex');

export function newAccount(email: string, password: string, role: Role): Account {
  return {
    id: `usr_${randomUUID()}`,
    email,
    passwordHash: hashPassword(password),
    role,
    createdAt: new Date(),
    provisioning: null,
  };
}

export function createState(config: DemoConfig): DemoState {
  const accounts = new Map<string, Account>();
  for (const seeded of config.accounts) {
    accounts.set(seeded.email, newAccount(seeded.email, seeded.password, seeded.role));
  }
  return {
    config,
    accounts,
    tasks: new Map(),
    workers: new WorkerPool(config.workerSlots),
    taskDuration: distributionFrom(config.taskMedianMs, config.taskP95Ms),
    inFlightExports: new Map(),
    stats: new RequestStats(),
    holds: new Holds(),
    queue: new ProvisioningQueue({ seed: config.seed, concurrency: 32 }),
    webhooks: new Webhooks(),
    eventStreams: new Set(),
  };
}

/** The configured account of a role, which API keys and OAuth clients act as. */
export function roleAccount(state: DemoState, role: Role): Account | undefined {
  const seeded = state.config.accounts.find((account) => account.role === role);
  return seeded && state.accounts.get(seeded.email);
}

/** DEMO_LATENCY_SCALE, three times longer under the `slow` fault. */
export const latencyScale = (state: DemoState, faults: ReadonlySet<Fault>) =>
  state.config.latencyScale * (faults.has('slow') ? 3 : 1);

/** Counts a request for GET /__demo/stats, under its route (`METHOD /path`) and status. */
export function countRequest(state: DemoState, request: FastifyRequest, status: number) {
  const route = request.routeOptions.url ? `${request.method} ${request.routeOptions.url}` : 'unmatched';
  state.stats.record(route, status, request.actor);
}
