import type { AuthSource, Exchange, ExchangeReporter } from '../../http/client';
import { sendWithRenewal } from '../../http/renewal';
import { WaitFailure } from '../../wait/errors';
import type { WaitContext } from '../../wait/options';
import type { Connection, StreamClose, StreamEvent } from './events';
import { openEventStream } from './sse-client';
import { openWebSocket } from './websocket-client';

/** Server-sent events (`text/event-stream`) or a WebSocket that only receives. */
export type StreamChannel = 'sse' | 'websocket';

export const STREAM_NAME: Record<StreamChannel, string> = { sse: 'event stream', websocket: 'WebSocket connection' };

export type StreamOpening = {
  channel: StreamChannel;
  url: URL;
  /** The credential; a 401 to the opening request renews it once, as the API clients do. */
  auth?: AuthSource | undefined;
  headers?: Record<string, string> | undefined;
  /** Reports each opening request as the API clients report a call (a step, and a count in the API summary). */
  report?: ExchangeReporter | undefined;
  identity?: string | undefined;
  /** Resolves to the first of the work and the end of the wait, which it fails as a timeout. */
  withinDeadline: <T>(work: Promise<T>) => Promise<T>;
  /** The answer to the opening request, refusals included, as soon as it is known. */
  onStatus: (httpStatus: number | undefined) => void;
  /** The failure of a stream that ended before it opened. */
  dropped: (close: StreamClose) => WaitFailure<string>;
  /** A title note for the opening step: " (after a drop, Last-Event-ID: 7)". */
  note?: string;
};

/**
 * Opens a stream, as a step, with the credential of its identity; a refusal, a connection that fails
 * and a stream that ends before it opened fail the wait, each named for what it is.
 */
export async function openStream(options: StreamOpening, context: WaitContext): Promise<Connection> {
  const { clean } = context;
  const shownUrl = clean(options.url.href);
  const name = STREAM_NAME[options.channel];
  let connection: Connection | undefined;
  const openingRequest = {
    identity: options.identity ?? 'anonymous',
    method: 'GET',
    path: `${options.url.pathname}${options.url.search}`,
    channel: options.channel,
  };
  const openOnce = (headers: Record<string, string>, renewed: boolean) =>
    context.reporter.step(
      `Open ${name} ${shownUrl}${options.note ?? ''}${renewed ? ' (renewed credential)' : ''}`,
      async (step) => {
        const openChannel = () => {
          const open = options.channel === 'sse' ? openEventStream : openWebSocket;
          connection = open(options.url, headers, () => context.clock.now());
          return options.withinDeadline(connection.next());
        };
        const opened = (word: string) => step.rename(clean(`Open ${name} ${shownUrl}${options.note ?? ''} → ${word}`));
        const opening = await (
          options.report ? reportOpening(options.report, openingRequest, headers, openChannel) : openChannel()
        ).catch(async (error: unknown) => {
          await opened('no answer within the SLA');
          throw error;
        });
        options.onStatus(opening.kind === 'opened' || opening.kind === 'refused' ? opening.httpStatus : undefined);
        await opened(openingWord(opening));
        return opening;
      },
    );

  const opening = await sendWithRenewal(
    options.auth,
    options.headers,
    (header, renewed) => openOnce({ ...(header ? { [header.name]: header.value } : {}), ...options.headers }, renewed),
    {
      isUnauthorized: (answer) => answer.kind === 'refused' && answer.httpStatus === 401,
      discard: async () => void (await connection?.close()),
    },
  );
  if (opening.kind === 'refused') throw new WaitFailure(opening.category, `was refused: ${clean(opening.detail)}`);
  if (opening.kind === 'failed') {
    throw new WaitFailure('connection-failed', `could not connect to ${shownUrl}: ${clean(opening.error)}`);
  }
  if (opening.kind === 'ended') throw options.dropped(opening.close);
  return connection!;
}

function openingWord(opening: StreamEvent): string {
  switch (opening.kind) {
    case 'opened':
      return `HTTP ${opening.httpStatus}`;
    case 'refused':
      return `refused: ${opening.httpStatus === undefined ? opening.detail : `HTTP ${opening.httpStatus}`}`;
    case 'failed':
      return `failed: ${opening.error}`;
    default:
      return 'closed before it opened';
  }
}

/** "closed by the server with code 1011 (overloaded)". */
export function closeWords(close: StreamClose): string {
  const code = close.code === undefined ? '' : ` with code ${close.code}${close.reason ? ` (${close.reason})` : ''}`;
  return `closed by the ${close.by}${code}${close.error ? `: ${close.error}` : ''}`;
}

/**
 * The opening request as an exchange for `report`: the status that opened or refused the channel, or
 * no response and why (a connection that failed, no answer within the SLA). What the wait throws, it throws.
 */
async function reportOpening(
  report: ExchangeReporter,
  start: Pick<Exchange, 'identity' | 'method' | 'path' | 'channel'>,
  headers: Record<string, string>,
  openChannel: () => Promise<StreamEvent>,
): Promise<StreamEvent> {
  let opening: StreamEvent | undefined;
  let thrown: Error | undefined;
  // The report's step shows why there was no answer; the wait goes on to fail in its own words.
  let unanswered: Error | undefined;
  const reported = report(start, async () => {
    // Timed from inside the report's step, as the API clients time their calls: the step spans it.
    const startedAt = new Date();
    const started = performance.now();
    try {
      opening = await openChannel();
    } catch (error) {
      thrown = error instanceof Error ? error : new Error(String(error));
    }
    const answered =
      opening?.kind === 'opened'
        ? { status: opening.httpStatus, headers: {}, body: '' }
        : opening?.kind === 'refused' && opening.httpStatus !== undefined
          ? { status: opening.httpStatus, headers: {}, body: opening.body }
          : undefined;
    if (!answered) {
      const why =
        opening?.kind === 'failed'
          ? opening.error
          : thrown instanceof WaitFailure
            ? 'no answer within the SLA'
            : thrown?.message;
      unanswered = new Error(why ?? 'no answer');
    }
    return {
      ...start,
      startedAt,
      latencyMs: performance.now() - started,
      request: { headers, body: undefined },
      response: answered,
      error: unanswered,
    };
  });
  await reported.catch((error: unknown) => {
    if (error !== unanswered) throw error;
  });
  if (thrown !== undefined) throw thrown;
  return opening!;
}
