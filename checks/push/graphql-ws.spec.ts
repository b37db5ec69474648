import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLInt, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { z } from 'zod';
import { ChannelWaitError, type Channels, expect, test as base } from '../../fixtures';

// A GraphQL subscription over the graphql-ws protocol (graphql-transport-ws), against a server built
// with the graphql-ws package itself: the channel fixture speaks a third party's protocol as it is.

const TOKEN = 'graphql-token-5Rk8Wd';

async function* countdown(from: number) {
  for (let n = from; n >= 0; n -= 1) yield { countdown: n };
}

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { hello: { type: GraphQLString, resolve: () => 'hello' } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      countdown: {
        type: new GraphQLNonNull(GraphQLInt),
        args: { from: { type: new GraphQLNonNull(GraphQLInt) } },
        subscribe: (_root: unknown, { from }: { from: number }) => {
          if (from < 0) throw new Error('countdown: from must not be negative');
          return countdown(from);
        },
      },
    },
  }),
});

const test = base.extend<{ graphqlUrl: string }>({
  graphqlUrl: async ({}, use) => {
    const server = createServer();
    const sockets = new WebSocketServer({ server, path: '/graphql' });
    // The upgrade request's credential decides, as a real gateway's does.
    const graphql = useServer(
      { schema, onConnect: ({ extra }) => extra.request.headers.authorization === `Bearer ${TOKEN}` },
      sockets,
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await use(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
    await graphql.dispose();
    await new Promise((resolve) => server.close(resolve));
  },
});

const GraphqlErrors = z.array(z.object({ message: z.string() })).min(1);
/** The graphql-transport-ws messages a client receives. */
const GraphqlMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('connection_ack') }),
  z.object({ type: z.literal('ping') }),
  z.object({ type: z.literal('pong') }),
  z.object({
    type: z.literal('next'),
    id: z.string(),
    payload: z.object({ data: z.record(z.string(), z.unknown()).nullish(), errors: GraphqlErrors.optional() }),
  }),
  z.object({ type: z.literal('error'), id: z.string(), payload: GraphqlErrors }),
  z.object({ type: z.literal('complete'), id: z.string() }),
]);
type GraphqlMessage = z.infer<typeof GraphqlMessage>;

// The whole client: connection_init → connection_ack → subscribe → next… → complete.
async function connect(channels: Channels, url: string) {
  const channel = await channels.open({
    url,
    role: null,
    headers: { authorization: `Bearer ${TOKEN}` },
    protocols: ['graphql-transport-ws'],
    answer: (message) => ((message as { type?: string }).type === 'ping' ? { type: 'pong' } : undefined),
  });
  await channel.sendJson({ type: 'connection_init' });
  await channel.waitFor({ ...graphql, subject: 'connection', until: (m) => m.type === 'connection_ack' });
  return channel;
}
const graphql = { operation: 'graphql subscription', slaMs: 5_000, schema: GraphqlMessage };
// A request error comes as `error`, an execution error as `next` with errors.
const errorsOf = (m: GraphqlMessage) =>
  m.type === 'error' ? m.payload : m.type === 'next' ? m.payload.errors : undefined;
const subscribe = (query: string) => ({
  ...graphql,
  subject: query,
  message: (id: string) => ({ id, type: 'subscribe', payload: { query } }),
  replyTo: (m: GraphqlMessage) => ('id' in m ? m.id : undefined),
  until: (m: GraphqlMessage) => m.type === 'complete',
  failsOn: (m: GraphqlMessage) => errorsOf(m) !== undefined,
  describe: (m: GraphqlMessage) => (errorsOf(m) ? `${m.type}: ${errorsOf(m)![0]!.message}` : m.type),
});

test('a graphql-ws subscription streams its results until complete', async ({ channels, graphqlUrl }) => {
  const channel = await connect(channels, graphqlUrl);

  const { messages } = await channel.request(subscribe('subscription { countdown(from: 3) }'));

  expect(channel.protocol).toBe('graphql-transport-ws');
  const counts = messages.flatMap((m) => (m.type === 'next' ? [m.payload.data?.['countdown']] : []));
  expect(counts).toEqual([3, 2, 1, 0]);
  expect(messages.at(-1)?.type).toBe('complete');
});

test('a subscription the server refuses fails the wait at once with its error', async ({ channels, graphqlUrl }) => {
  const channel = await connect(channels, graphqlUrl);

  const failure = await channel
    .request({ ...subscribe('subscription { countdown(from: -1) }'), expectedOutcome: 'terminal-failure' })
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(ChannelWaitError);
  expect((failure as ChannelWaitError).message).toMatch(
    /^Terminal failure reported by the API: graphql subscription \(websocket\) of subscription \{ countdown\(from: -1\) \} failed on message 1, \d\.\d s into the wait: next: countdown: from must not be negative/,
  );
});

test('a client without the credential is refused by the server', async ({ channels, graphqlUrl }) => {
  const channel = await channels.open({ url: graphqlUrl, role: null, protocols: ['graphql-transport-ws'] });
  await channel.sendJson({ type: 'connection_init' });

  const failure = await channel
    .waitFor({ ...graphql, subject: 'connection', until: (m) => m.type === 'connection_ack' })
    .catch((error: unknown) => error);

  expect((failure as ChannelWaitError).record).toMatchObject({ outcome: 'connection-dropped', close: { code: 4403 } });
});
