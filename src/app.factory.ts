// Builds the HTTP application: Fastify, validation, problem+json, security headers, OpenAPI, request logs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { ConsoleLogger, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, RawServerDefault } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { AppModule } from './app.module.js';
import type { Principal } from './common/access.js';
import { AuthService } from './auth/auth.service.js';
import { ensureBootstrapAdmin } from './auth/bootstrap-admin.js';
import { documentProblems } from './common/api-docs.js';
import { ClosingFastifyAdapter, ShuttingDownError } from './common/closing.js';
import { eventsAppended, httpRequests } from './common/metrics.js';
import { LEDGER_EVENT_TYPES } from './event-types.js';
import { answerClientError, holdRefusals, ProblemFilter, sendProblem } from './common/problem.filter.js';
import { MAX_PARAM_LENGTH, reasonPhrase } from './common/problem.js';
import { refusalWithoutKey, repeatedAuthorization } from './auth/auth.guard.js';
import { DomainError } from './common/domain-error.js';
import { answerOtherMethod } from './common/method-not-allowed.js';
import { FailedAuthentications } from './auth/failed-authentications.js';
import {
  acceptedBodies,
  repeatedMemberProblem,
  requestBodyProblem,
  requestValidationPipe,
  unsupportedCharset,
  unsupportedContentEncoding,
  unsupportedMediaType,
  utf8Text,
} from './common/request-body.js';
import type { AppConfig } from './config.js';
import { MERKLE_LOG } from './ledger/ledger.tokens.js';
import type { MerkleLog } from './ledger/log/merkle-log.js';
import { withAdvisoryLock } from './ledger/event-store/postgres-support.js';
import { ProjectionRunner } from './ledger/read-models/projection-runner.js';
import { ReadYourWrites } from './ledger/read-models/read-your-writes.js';
import { Idempotency } from './ledger/write/idempotency.js';
import { OpenedOnStart } from './ledger/opened-on-start.js';
import { CONSOLE_DIR, registerConsole } from './console/console.routes.js';

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  info: ['fatal', 'error', 'warn', 'log'],
  warn: ['fatal', 'error', 'warn'],
  error: ['fatal', 'error'],
  silent: [],
};

// The routes any client may read without a key, each limited per address (the console's pages and files are not: a
// page loads several at once, and they are served from memory). /health reads the store, /metrics serialises every
// series, /docs its document.
const PUBLIC_PATHS = [
  '/v1/public/',
  '/v1/ledger/checkpoint',
  '/v1/ledger/key',
  '/v1/ledger/proof/',
  '/v1/policy',
  '/health',
  '/metrics',
  '/docs',
];
export const isPublicPath = (url: string) => PUBLIC_PATHS.some((p) => url.startsWith(p));
/** The probes' routes, readiness and liveness. */
const HEALTH_ROUTES = new Set(['/health', '/health/live']);
const isLoopbackAddress = (ip: string) => /^(127\.|::1$|::ffff:127\.)/.test(ip);

/**
 * Nest's own account of its start: a line for each module loaded, each controller and each route mapped (some ninety
 * lines), which say how the application was put together, not what it does: kept for LOG_LEVEL=debug.
 */
const NEST_START_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * The server's and the commands' JSON logger. A start that fails is logged by Nest's ExceptionHandler with the error
 * itself, stack and all; the command then says what failed in one line of its own (exit-on-error.ts), and the stack
 * is for LOG_LEVEL=debug: below it, that entry keeps the message alone.
 */
class LedgerLogger extends ConsoleLogger {
  /**
   * Nest's "Nest application successfully started" comes when its modules are initialised, before the projections, the
   * log and the first admin start, any of which may still fail the start: it is kept for LOG_LEVEL=debug, and the
   * server's own "listening on" line says that it started. So is the rest of Nest's account of its start.
   */
  log(message: unknown, ...optional: unknown[]): void {
    const context = optional.at(-1);
    if (
      (context === 'NestApplication' && message === 'Nest application successfully started') ||
      NEST_START_CONTEXTS.has(context as string)
    ) {
      this.debug(message, ...optional);
      return;
    }
    super.log(message, ...optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    if (message instanceof Error && optional.at(-1) === 'ExceptionHandler' && !this.isLevelEnabled('debug')) {
      super.error(message.message, ...optional);
      return;
    }
    super.error(message, ...optional);
  }
}

export function createLogger(config: AppConfig): ConsoleLogger {
  return new LedgerLogger({ json: true, logLevels: LEVELS[config.logLevel] });
}

/** How often an instance on PostgreSQL looks for events other instances wrote (ProjectionRunner.followOthers). */
const FOLLOW_OTHERS_MS = 1000;

export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  // A series per event type from the start, at 0: after a restart the counter is there to scrape (and grep) before the
  // first append, and Prometheus sees each type's count reset rather than its series vanish.
  for (const type of LEDGER_EVENT_TYPES) eventsAppended.inc({ type }, 0);
  const securityHeaders = helmetHeaders(helmet({ contentSecurityPolicy: contentSecurityPolicy(false) }));
  const docsSecurityHeaders = helmetHeaders(helmet({ contentSecurityPolicy: contentSecurityPolicy(true) }));
  // A URL Fastify cannot decode never reaches a route or a hook: answer it in the one problem shape all the same, with
  // the headers every other response carries.
  const adapter = new ClosingFastifyAdapter({
    bodyLimit: config.bodyLimit,
    logger: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // A `__proto__` member (or `constructor` holding `prototype`) is kept by the parser and refused by the preValidation
    // hook below, with every other name of JavaScript's object members, before anything reads the body: Fastify's own
    // refusal said only that the body was not valid JSON, which it is.
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
    frameworkErrors: (err: Error, _request: unknown, reply: FastifyReply) => sendProblem(reply.headers(securityHeaders), err),
    clientErrorHandler: answerClientError,
    // The client's address (request.ip), which the rate limits count, is the connection's peer unless that peer is a
    // trusted reverse proxy: then it is the last address in X-Forwarded-For that no trusted proxy added.
    ...(config.trustedProxies.length > 0 ? { trustProxy: config.trustedProxies } : {}),
  });
  const opened = new OpenedOnStart();
  let app: NestFastifyApplication;
  try {
    app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, opened), adapter, {
      logger: createLogger(config),
      abortOnError: false,
    });
  } catch (err) {
    // A provider failed while Nest made the application: there is none to close, so what the others opened is closed here.
    await opened.closeAll();
    throw err;
  }
  try {
    return await setUp(app, adapter, config, securityHeaders, docsSecurityHeaders);
  } catch (err) {
    // A start that fails closes what the modules opened (the stores' files, their threads), as a close would.
    await app.close().catch(() => undefined);
    throw err;
  }
}

/** What createApp does once Nest has made the application: hooks, parsers, limits, routes, then the start. */
async function setUp(
  app: NestFastifyApplication,
  adapter: ClosingFastifyAdapter,
  config: AppConfig,
  securityHeaders: Readonly<Record<string, string>>,
  docsSecurityHeaders: Readonly<Record<string, string>>,
): Promise<NestFastifyApplication> {
  const fastify = app.getHttpAdapter().getInstance();

  // JSON bodies are decoded as strict UTF-8 before they are parsed: the default parser decodes laxly, and a byte that is
  // not UTF-8 became U+FFFD in the text that was written. Parsed as the default parser parses (`__proto__` kept, above).
  const parseJson = fastify.getDefaultJsonParser('ignore', 'ignore');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: config.bodyLimit }, (request, body: Buffer, done) => {
    let text: string;
    try {
      text = utf8Text(body);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    void parseJson(request, text, (err: Error | null, parsed?: unknown) => {
      if (err) done(err, undefined);
      else {
        const repeated = repeatedMemberProblem(text);
        if (repeated) done(repeated, undefined);
        else done(null, parsed);
      }
    });
  });

  // Security headers on every response, hooked before anything that may answer early (rate limit, 415).
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(request.url.startsWith('/docs') ? docsSecurityHeaders : securityHeaders);
    done();
  });
  // HTTP/1.0 and 1.1 only, and a Host on 1.1 (RFC 9112 §3.2): Node served a request line of another version (none,
  // HTTP/2.0), and answered a 1.1 request without Host with an empty 400 of its own; both are refused here, as problems.
  (fastify.server as { requireHostHeader?: boolean }).requireHostHeader = false;
  fastify.addHook('onRequest', (request, reply, done) => {
    const { httpVersionMajor: major, httpVersionMinor: minor } = request.raw;
    const refused =
      major !== 1 || (minor !== 0 && minor !== 1)
        ? `the request is not valid HTTP/1.1 (its line says version ${major}.${minor})`
        : minor === 1 && request.headers.host === undefined
          ? 'the request is not valid HTTP/1.1 (it has no Host header)'
          : null;
    // Answered as the parser's refusals are, the connection closed.
    if (refused === null) done();
    else sendProblem(reply.header('connection', 'close'), new DomainError('invalid', 'bad-request', refused));
  });
  // Once the application begins to close, a request that arrives (on a kept-alive connection, or a new one before the
  // server stops listening) is refused before anything else reads it, with the security headers above; the requests
  // taken before are answered before the modules close (ClosingFastifyAdapter).
  fastify.addHook('onRequest', (_request, reply, done) => {
    if (adapter.requests.take(reply.raw)) done();
    else sendProblem(reply, new ShuttingDownError());
  });
  // A method the routes of a known path do not take is 405 with Allow (OPTIONS 204 with Allow), answered before the
  // request's body is read or anything else is looked at (its key, its type, its size): nothing is carried out, as for
  // a path no route takes.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.is404 || !answerOtherMethod(fastify, request, reply)) done();
  });
  // A request must have arrived whole (its body included) within LEDGER_REQUEST_TIMEOUT_MS: one that trickles in, or
  // stops, holds a connection, and an upload a place among those inspected, no longer than that. Node's own
  // requestTimeout stops counting once a request's headers are in, so the body is timed here; it is refused as the
  // parser's refusals are, on the socket (408 request-timeout, the connection closed), whatever its handler was doing.
  fastify.addHook('onRequest', (request, _reply, done) => {
    const raw = request.raw;
    if (config.requestTimeoutMs > 0 && !raw.complete) {
      const timer = setTimeout(() => {
        if (!raw.complete) answerClientError(Object.assign(new Error('request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), raw.socket);
      }, config.requestTimeoutMs);
      timer.unref();
      const stop = () => clearTimeout(timer);
      raw.once('end', stop);
      raw.once('close', stop);
    }
    done();
  });
  // Every write is authenticated: one whose Authorization cannot hold a key is refused before its body is read or
  // parsed, and counted against its address's limit of requests without a valid key, as AuthGuard counts it (a 429
  // past the limit, not a 400 for the body it would have parsed). A key that can be one is looked up by the guard.
  const failures = app.get(FailedAuthentications);
  fastify.addHook('onRequest', (request, reply, done) => {
    const write = request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS';
    const refused =
      write &&
      request.routeOptions.url !== undefined &&
      (repeatedAuthorization(request.raw.rawHeaders) ?? refusalWithoutKey(failures, request.ip, request.headers.authorization));
    if (refused) sendProblem(reply, refused);
    else done();
  });
  // Unauthenticated endpoints are rate-limited per client address; authenticated ones are accountable to a key.
  // Judged by the matched route, not the raw URL: a percent-encoded spelling of a public path (/v1/%70ublic/...) reaches the same handler.
  await app.register(rateLimit as never, {
    global: true,
    max: config.publicRateLimit,
    timeWindow: 60_000,
    // Every public route is a read; writes (POST /v1/policy beside GET /v1/policy) are authenticated.
    // /health and /health/live from this machine are not counted: a probe run beside the server (a container's) must not be
    // refused for the traffic of other clients that share its address (a reverse proxy on the same machine).
    allowList: (req: { method: string; url: string; ip: string; routeOptions?: { url?: string } }) =>
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      !isPublicPath(req.routeOptions?.url ?? req.url) ||
      (HEALTH_ROUTES.has(req.routeOptions?.url ?? '') && isLoopbackAddress(req.ip)),
  });
  // Label verification uploads: one file, streamed by the handler (never written to disk), at most uploadLimit bytes.
  await app.register(multipart as never, {
    limits: { fileSize: config.uploadLimit, files: 1, fields: 10, fieldSize: 1024, parts: 11, headerPairs: 100 },
  });

  // JSON everywhere, multipart only where a route accepts uploads (@Accepts): anything else is refused before parsing,
  // naming what the route takes.
  fastify.addHook('onRequest', (request, reply, done) => {
    const hasBody =
      (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0') ||
      request.headers['transfer-encoding'] !== undefined;
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const accepted = acceptedBodies(request);
    if (hasBody && !Object.hasOwn(accepted, type)) {
      sendProblem(reply, unsupportedMediaType(type, accepted));
      return;
    }
    // A list whose empty elements are ignored (RFC 9110 §5.6.1): none left, or only identity, is a body as it was sent.
    const encoding = request.headers['content-encoding'];
    const codings = (encoding ?? '').split(',').map((coding) => coding.trim().toLowerCase());
    if (hasBody && codings.some((coding) => coding !== '' && coding !== 'identity')) {
      sendProblem(reply.header('accept-encoding', 'identity'), unsupportedContentEncoding(encoding!));
      return;
    }
    // Bodies are read as UTF-8 (JSON's encoding, RFC 8259 §8.1): one declared in another charset was read wrongly.
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (hasBody && charset !== undefined && !/^utf-?8$/i.test(charset)) {
      sendProblem(reply, unsupportedCharset(charset));
      return;
    }
    done();
  });

  // Bodies no field validation could accept (unpaired surrogates, infinite numbers, absurd nesting) are refused before anything walks them.
  fastify.addHook('preValidation', (request, reply, done) => {
    const problem = requestBodyProblem(request.body);
    if (problem) {
      sendProblem(reply, problem);
      return;
    }
    done();
  });

  // Answered before the request body was read to its end (an upload refused or cut at its limit): close the connection,
  // or the unread rest of the body would stall the next request sent on it. A body over its limit (413) always closes
  // it, whether or not the rest had already arrived by the time of the answer. Once the server is closing, every answer
  // closes its connection: one kept alive would hold the close up until it idled out.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!request.raw.complete || reply.statusCode === 413 || adapter.requests.closing) void reply.header('connection', 'close');
    done(null, payload);
  });

  // The second half of the ledger's part of a request (LedgerRequestGuard has the first): once it is answered, the log
  // position its writes reached, and its Idempotency-Key's answer kept (or the key freed) before the answer is sent.
  const reads = app.get(ReadYourWrites);
  const idempotency = app.get(Idempotency);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const answer = () => {
      reads.answered(request, reply); // once the answer is kept: a failure to keep it is a 500 with no position
      done(null, payload);
    };
    const kept = idempotency.answered(request, reply, payload);
    if (kept === null) answer();
    else kept.then(answer, (err: Error) => done(err));
  });

  // The status line names the status as RFC 9110 does, as the problem's title does: Node's own phrases for 413 and 422
  // are older ones (Payload Too Large, Unprocessable Entity). Every answer passes here, whatever made it: a route, a
  // hook's refusal, the body limit, an upload refused while it is read.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    reply.raw.statusMessage = reasonPhrase(reply.statusCode);
    done(null, payload);
  });

  const requestLog = new Logger('http');
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    // Method, route template and outcome only: headers (and so keys) are never logged.
    requestLog.log({
      method: request.method,
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      principal: (request as unknown as { principal?: Principal }).principal?.principalId ?? null,
    });
    done();
  });

  // The refusals held back since their last line are counted in the log before the server stops.
  holdRefusals(fastify);

  app.useGlobalPipes(requestValidationPipe());
  app.useGlobalFilters(new ProblemFilter());

  const document = documentProblems(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Sandbox Ledger')
        .setDescription('Verifiable ledger for AI-assisted works: filings, labels, disputes and sandbox rights.')
        .setVersion('1')
        .addBearerAuth({
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'slk_<43 base64url characters>',
          description:
            'An API key, `Authorization: Bearer slk_…`: issued by an admin (POST /v1/principals, /v1/principals/{id}/keys) or by ' +
            'the principal itself (POST /v1/me/keys), shown once. The first admin key is written to `<data>/admin.key`.',
        })
        .build(),
    ),
    isPublicPath,
  );
  await app.init();
  // Added once Nest has installed its error handler (app.init), which a route takes when it is added: a refusal before
  // their handlers (the rate limit's 429) is then a problem, as on every other route, not Fastify's own JSON.
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  if (config.console && !(await registerConsole(fastify)))
    new Logger('console').warn(`web console not built (no ${CONSOLE_DIR}); run npm run build:web`);
  await app.get(ProjectionRunner).start();
  // On PostgreSQL, other instances' events reach this one's read models within a second, asked or not (EventStoreDB's
  // subscription tells each instance of every commit already).
  if (config.store === 'postgres') app.get(ProjectionRunner).followOthers(FOLLOW_OTHERS_MS);
  await app.get<MerkleLog>(MERKLE_LOG).start(config.checkpointIntervalMs);
  const bootstrap = () => ensureBootstrapAdmin(config, app.get(AuthService), app.get(CommandBus));
  if (config.store === 'sqlite') await bootstrap();
  // Instances sharing a store start together: one registers the admin, the others then see it in the read models.
  else
    await withAdvisoryLock(config.databaseUrl!, `sandbox-ledger/bootstrap:${config.databaseSchema ?? 'ledger'}`, async () => {
      await app.get(ProjectionRunner).catchUp();
      await bootstrap();
    });
  return app;
}

/**
 * helmet's options. Scripts come from this origin only (no inline script anywhere), and nothing else from another origin
 * either (helmet's default font-src would allow any https: origin); no upgrade-insecure-requests, which would blank the
 * pages when they are opened over plain HTTP. Swagger UI (/docs) writes inline styles, so only its pages allow them.
 */
function contentSecurityPolicy(inlineStyles: boolean) {
  return {
    useDefaults: true,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: inlineStyles ? ["'self'", "'unsafe-inline'"] : ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      workerSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      upgradeInsecureRequests: null,
    },
  };
}

/**
 * The headers a helmet() middleware sets, read once: with no directive computed per request (no nonce), they are the
 * same on every response, and set through the reply they cost a few property writes instead of a header validation
 * each through Node's setHeader on every request (no route writes the raw response, which would miss them).
 */
function helmetHeaders(middleware: ReturnType<typeof helmet>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let called = false;
  middleware({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    called = true;
  });
  if (!called) throw new Error('helmet did not set its headers at once');
  return Object.freeze(headers);
}
