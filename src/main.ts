// `npm start`: the HTTP server, as `sandbox-ledger serve` runs it.
import 'reflect-metadata';
import { serve } from './cli/app-commands.js';
import { exitOnError } from './cli/exit-on-error.js';

await serve().catch(exitOnError); // as `sandbox-ledger serve` ends
