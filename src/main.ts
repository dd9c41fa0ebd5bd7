// `npm start`: the HTTP server, as `sandbox-ledger serve` runs it.
import 'reflect-metadata';
import { serve } from './cli/app-commands.js';

await serve();
