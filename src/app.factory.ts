// Builds the HTTP application: Fastify, validation, problem+json, security headers, OpenAPI, request logs.
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { ConsoleLogger, HttpException, Logger, ValidationPipe, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { Principal } from './auth/auth.decorators.js';
import { AuthService } from './auth/auth.service.js';
import { ensureBootstrapAdmin } from './auth/bootstrap-admin.js';
import { httpRequests } from './common/metrics.js';
import { flattenValidationErrors, ValidationProblem } from './common/problem.js';
import { ProblemFilter, sendProblem } from './common/problem.filter.js';
import type { AppConfig } from './config.js';
import { MERKLE_LOG } from './ledger/ledger.tokens.js';
import type { MerkleLog } from './ledger/merkle-log.js';
import { ProjectionRunner } from './projections/projection-runner.js';

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  debug: ['fatal', 'error', 'warn', 'log', 'debug'], info: ['fatal', 'error', 'warn', 'log'], warn: ['fatal', 'error', 'warn'], error: ['fatal', 'error'], silent: [],
};

const PUBLIC_PATHS = ['/v1/public/', '/v1/ledger/checkpoint', '/v1/ledger/key', '/v1/ledger/proof/'];
export const isPublicPath = (url: string) => PUBLIC_PATHS.some((p) => url.startsWith(p));

export function createLogger(config: AppConfig): ConsoleLogger {
  return new ConsoleLogger({ json: true, logLevels: LEVELS[config.logLevel] });
}

export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimit, logger: false, routerOptions: { maxParamLength: 200 } });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, { logger: createLogger(config), abortOnError: false });
  const fastify = app.getHttpAdapter().getInstance();

  await app.register(helmet as never, { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'", "'unsafe-inline'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'] } } });
  // Unauthenticated endpoints are rate-limited per client address; authenticated ones are accountable to a key.
  await app.register(rateLimit as never, { global: true, max: config.publicRateLimit, timeWindow: 60_000, allowList: (req: { url: string }) => !isPublicPath(req.url) });
  // Label verification uploads: one file, streamed by the handler (never written to disk), at most labelUploadLimit bytes.
  await app.register(multipart as never, { limits: { fileSize: config.labelUploadLimit, files: 1, fields: 10, fieldSize: 1024, parts: 11, headerPairs: 100 } });

  // JSON everywhere, multipart only for file uploads: anything else is refused before parsing.
  fastify.addHook('onRequest', (request, reply, done) => {
    const hasBody = request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0' || request.headers['transfer-encoding'] !== undefined;
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (hasBody && type !== 'application/json' && type !== 'multipart/form-data') {
      sendProblem(reply, new HttpException(`content type ${type || '(none)'} is not accepted; send application/json`, 415));
      return;
    }
    done();
  });

  const requestLog = new Logger('http');
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    // Method, route template and outcome only: headers (and so keys) are never logged.
    requestLog.log({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, principal: (request as unknown as { principal?: Principal }).principal?.principalId ?? null });
    done();
  });

  app.useGlobalPipes(new ValidationPipe({
    whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true, transform: true,
    exceptionFactory: (errors) => new ValidationProblem(flattenValidationErrors(errors)),
  }));
  app.useGlobalFilters(new ProblemFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(app, new DocumentBuilder()
    .setTitle('Sandbox Ledger').setDescription('Verifiable ledger for AI-assisted works: filings, labels, disputes and sandbox rights.')
    .setVersion('1').addBearerAuth().build());
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });

  await app.init();
  await app.get(ProjectionRunner).start();
  await app.get<MerkleLog>(MERKLE_LOG).start(config.checkpointIntervalMs);
  await ensureBootstrapAdmin(config, app.get(AuthService), app.get(CommandBus));
  return app;
}
