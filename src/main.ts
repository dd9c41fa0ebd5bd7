// `npm start`: the HTTP server, as `sandbox-ledger serve` runs it.
import 'reflect-metadata';
import { serve } from './cli/app-commands.js';

await serve().catch((err: Error) => {
  // One line, as `sandbox-ledger serve` ends (src/cli/main.ts); what a failed start left open does not keep it running.
  process.stderr.write(`sandbox-ledger: ${err.message}\n`);
  process.exit(1);
});
