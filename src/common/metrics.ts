// Prometheus metrics: one registry for the process.
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

export const httpRequests = new Histogram({
  name: 'ledger_http_request_duration_seconds', help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'] as const, buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [metricsRegistry],
});
export const eventsAppended = new Counter({ name: 'ledger_events_appended_total', help: 'Events appended to the log', labelNames: ['type'] as const, registers: [metricsRegistry] });
