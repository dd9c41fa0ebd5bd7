// Closing the HTTP server without losing a request: once the application begins to close, the requests it had taken are
// answered before any module closes what they use (a batched key lookup, a store), and a request that arrives
// meanwhile, on a kept-alive connection or a new one, is refused in the API's problem form.
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import { DomainError } from './domain-error.js';

/** A request that arrived once the server began to close: nothing of it was carried out, and it may be sent again. */
export class ShuttingDownError extends DomainError {
  readonly name = 'ShuttingDownError';
  /** Another instance answers at once; this one, once restarted. */
  readonly retryAfterSeconds = 1;
  constructor() {
    super('unavailable', 'shutting-down', 'the server is shutting down and did not carry this request out: send it again');
  }
}

/**
 * How long a close waits for the requests it had taken: an upload of the largest file over a slow link finishes well
 * within it, and orchestrators commonly kill a process 30 s after SIGTERM.
 */
export const DRAIN_LIMIT_MS = 20_000;

/** The requests a server is answering, and whether it has begun to close. */
export class RequestsInFlight {
  private open = 0;
  private closed = false;
  private drained: Array<() => void> = [];

  get closing(): boolean {
    return this.closed;
  }

  /**
   * Takes a request, counted until its response closes (answered, or its connection lost); false once the server is
   * closing: the request is to be refused.
   */
  take(response: { once(event: 'close', listener: () => void): unknown }): boolean {
    if (this.closed) return false;
    this.open++;
    response.once('close', () => {
      if (--this.open === 0) for (const done of this.drained.splice(0)) done();
    });
    return true;
  }

  /**
   * Takes no more requests; resolves once every request taken is answered, or after `limitMs` however many are left: a
   * request that never ends (an upload whose client stopped sending) must not hold the close up for ever.
   */
  close(limitMs = DRAIN_LIMIT_MS): Promise<void> {
    this.closed = true;
    if (this.open === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      timer.unref();
      this.drained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/**
 * Nest's Fastify adapter, told first when the application closes (beforeClose, awaited before any module's destroy
 * hook): it answers the requests taken before the modules close. Fastify's own 503 for requests that arrive while it
 * closes, in a shape of its own, is turned off: the application refuses them itself, as a problem (app.factory.ts).
 */
export class ClosingFastifyAdapter extends FastifyAdapter {
  readonly requests = new RequestsInFlight();

  constructor(options: FastifyServerOptions) {
    super({ ...options, return503OnClosing: false });
  }

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- Nest awaits it (NestApplication.prepareClose), though its type says void
  override async beforeClose(): Promise<void> {
    super.beforeClose();
    await this.requests.close();
  }
}
