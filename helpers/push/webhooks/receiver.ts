import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsedJson } from '../../contracts/body';
import type { Redactor } from '../../secrets/redactor';

// An HTTP server that takes webhooks, one inbox per callback URL.

/** A request the receiver got on a callback URL, as it arrived. */
export type ReceivedDelivery = {
  /** The how-manieth delivery to this callback URL, from 1. */
  number: number;
  /** Milliseconds since the epoch, when the body had been read. */
  receivedAt: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The raw body: the signature is over these exact bytes. */
  body: string;
  webhookId: string | undefined;
  /** What the receiver answered: 204, or 500 when the test asked it to refuse the delivery. */
  answeredStatus: number;
};

const ACCEPTED_STATUS = 204;
const REFUSED_STATUS = 500;
const MAX_BODY_BYTES = 1024 * 1024;
// Callback paths end in /hooks/<name>: a proxy in front of the receiver may keep or strip a prefix.
const HOOK_PATH = /\/hooks\/([^/]+)$/;

/** The deliveries to one callback URL; a wait reads them, the test can make it refuse some. */
export class WebhookInbox {
  private readonly received: ReceivedDelivery[] = [];
  private arrivals: Array<() => void> = [];
  private toRefuse = 0;

  constructor(
    /** Where the API under test sends its webhooks. */
    readonly url: string,
    private readonly now: () => number = Date.now,
    private readonly onClose: () => void = () => undefined,
  ) {}

  /** Every delivery so far, in the order of arrival. */
  get deliveries(): readonly ReceivedDelivery[] {
    return this.received;
  }

  /** Answers 500 to the next `count` deliveries, so that the sender has to deliver them again. */
  refuseNext(count: number): void {
    this.toRefuse += count;
  }

  /** Takes one delivery (from the server, or from a test standing in for a sender) and says what to answer. */
  receive(request: { headers: Record<string, string>; body: string }): number {
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const refused = this.toRefuse > 0;
    if (refused) this.toRefuse -= 1;
    this.received.push({
      number: this.received.length + 1,
      receivedAt: this.now(),
      headers,
      body: request.body,
      webhookId: headers['webhook-id'],
      answeredStatus: refused ? REFUSED_STATUS : ACCEPTED_STATUS,
    });
    const arrivals = this.arrivals;
    this.arrivals = [];
    for (const arrived of arrivals) arrived();
    return refused ? REFUSED_STATUS : ACCEPTED_STATUS;
  }

  /** Resolves at the next delivery. */
  nextArrival(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  /** Stops taking deliveries: later ones are answered 410 Gone. */
  close(): void {
    this.onClose();
  }
}

export type ReceiverOptions = {
  /** Where to listen; 127.0.0.1 unless the API reaches this machine from elsewhere (0.0.0.0). */
  host?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** The receiver as the API under test reaches it (a tunnel, a container network); `{port}` is
   *  replaced by the port listened on. By default the address listened on. */
  publicUrl?: string | undefined;
  now?: () => number;
};

/**
 * An HTTP server that takes webhooks for the tests of one worker: each test opens an inbox with a
 * callback URL of its own, and a wait reads the deliveries of that inbox. It answers 204 to every
 * delivery it takes (500 when a test asked it to refuse some), 410 on the path of a closed inbox.
 */
export class WebhookReceiver {
  private readonly inboxes = new Map<string, WebhookInbox>();
  // Tells this receiver's callback URLs from those of an earlier one on the same public URL, whose
  // redeliveries may still arrive.
  private readonly tag = randomBytes(3).toString('hex');
  private opened = 0;

  private constructor(
    private readonly server: Server,
    /** What callback URLs start with. */
    readonly baseUrl: string,
    private readonly now: () => number,
  ) {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.handle(request, response));
  }

  static async start(options: ReceiverOptions = {}): Promise<WebhookReceiver> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const base = options.publicUrl?.replaceAll('{port}', String(port)) ?? `http://${localHost}:${port}`;
    return new WebhookReceiver(server, base.endsWith('/') ? base : `${base}/`, options.now ?? Date.now);
  }

  /** A new inbox with a callback URL of its own: `<base>/hooks/<label>-<n>`. */
  openInbox(label: string): WebhookInbox {
    this.opened += 1;
    const name = `${label.replace(/[^\w.-]+/g, '-')}-${this.tag}-${this.opened}`;
    const url = new URL(`hooks/${name}`, this.baseUrl).href;
    const inbox = new WebhookInbox(url, this.now, () => this.inboxes.delete(name));
    this.inboxes.set(name, inbox);
    return inbox;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Senders keep connections alive: they would hold the server open.
    this.server.closeAllConnections();
    await closed;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://receiver').pathname;
    const name = HOOK_PATH.exec(path)?.[1];
    const inbox = name === undefined ? undefined : this.inboxes.get(decodeURIComponent(name));
    const answer = (status: number, headers: Record<string, string> = {}) => {
      response.writeHead(status, headers).end();
      request.resume();
    };
    if (!inbox) return answer(name === undefined ? 404 : 410);
    if (request.method !== 'POST') return answer(405, { allow: 'POST' });
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) return answer(413);
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : value!]),
      );
      answer(inbox.receive({ headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
  }
}

/** A delivery as a report shows it: headers and body redacted. */
export function deliveryForReport(delivery: ReceivedDelivery, redactor: Redactor) {
  const body = parsedJson(delivery.body);
  return {
    number: delivery.number,
    receivedAt: new Date(delivery.receivedAt).toISOString(),
    answeredStatus: delivery.answeredStatus,
    headers: redactor.headers(delivery.headers),
    body: body.json ? redactor.json(body.value) : redactor.body(delivery.body),
  };
}
