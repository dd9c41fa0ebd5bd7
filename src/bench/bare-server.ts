// The reference for the HTTP figures: a bare NestJS + Fastify POST handler (no auth, validation, storage), in its own
// process like the ledger server. Run by the bench: PORT=… node dist/bench/bare-server.js
import 'reflect-metadata';
import { Body, Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

@Controller('v1/filings')
class BareController {
  @Post()
  file(@Body() body: { contentHash?: string }) {
    return { filingId: 'bare', contentHash: body?.contentHash ?? null };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter({ logger: false }), { logger: false });
await app.listen(Number(process.env.PORT ?? 3001), '127.0.0.1');
process.stdout.write('listening\n');
