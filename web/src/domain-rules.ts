// The server's shared rules (src/domain-rules: pure, framework-free), bundled into the console so its forms offer exactly
// what the ledger accepts: the dispute remedies, who may appeal and the appeal rulings, the IPTC digital source types, the
// characters of an AIGC label's fields.
// Import from here, not from ../../src/domain-rules directly.
export * from '../../src/domain-rules/aigc-values.js';
export * from '../../src/domain-rules/digital-source-types.js';
export * from '../../src/domain-rules/disputes.js';
