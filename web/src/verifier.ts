// The project's own verifier (src/verifier: framework-free TypeScript on @noble/* and canonicalize), bundled into the
// page so a browser checks receipts, checkpoints and exports with the very code the CLI and the server run.
// Import from here, not from ../../src/verifier directly; the bundler keeps only what the pages use.
export * from '../../src/verifier/chain-runs.js';
export * from '../../src/verifier/checkpoint.js';
export * from '../../src/verifier/compact-range.js';
export * from '../../src/verifier/cosignature.js';
export * from '../../src/verifier/duplicate-ids.js';
export * from '../../src/verifier/envelope.js';
export * from '../../src/verifier/event-catalogue.js';
export * from '../../src/verifier/event-time.js';
export * from '../../src/verifier/export-verifier.js';
export * from '../../src/verifier/merkle-proofs.js';
export * from '../../src/verifier/note.js';
export * from '../../src/verifier/public-receipt.js';
export * from '../../src/verifier/rfc6962.js';
export * from '../../src/verifier/rights-book.js';
export * from '../../src/verifier/rights-events.js';
export * from '../../src/verifier/rights-rules.js';
export * from '../../src/verifier/sandbox-policy.js';
export * from '../../src/verifier/settlement-audit.js';
export * from '../../src/verifier/sorted-runs.js';
export * from '../../src/verifier/tlog-proof.js';
