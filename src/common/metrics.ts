// Prometheus metrics: one registry for the process.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequests = new Histogram({
  name: 'ledger_http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});
export const eventsAppended = new Counter({
  name: 'ledger_events_appended_total',
  help: 'Events appended to the log',
  labelNames: ['type'] as const,
  registers: [metricsRegistry],
});
export const tsaRequests = new Counter({
  name: 'ledger_tsa_requests_total',
  help: 'RFC 3161 time-stamp requests for checkpoints, by TSA and outcome (ok, failed, invalid)',
  labelNames: ['tsa', 'outcome'] as const,
  registers: [metricsRegistry],
});
export const witnessRequests = new Counter({
  name: 'ledger_witness_requests_total',
  help: 'Checkpoint submissions to witnesses, by witness and outcome (ok, conflict, ahead, failed, invalid)',
  labelNames: ['witness', 'outcome'] as const,
  registers: [metricsRegistry],
});
export const quorumWaits = new Counter({
  name: 'ledger_witness_quorum_waits_total',
  help: 'Requests that waited for the witness quorum on a fresh checkpoint, by outcome (met, expired)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});
export const attestationDelay = new Histogram({
  name: 'ledger_checkpoint_attestation_seconds',
  help: 'Time from signing a checkpoint to storing a witness cosignature or a TSA token for it',
  labelNames: ['kind'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});
