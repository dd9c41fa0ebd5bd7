import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { loadConfig } from './config.js';

const config = loadConfig();
const app = await createApp(config);
await app.listen(config.port, config.host);
new Logger('main').log(`Sandbox Ledger listening on http://${config.host}:${config.port} (store ${config.store}, data ${config.dataDir})`);
