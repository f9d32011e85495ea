import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process: every app instance in it reports into the same metrics. */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'lockstep_' });

export const httpRequestDuration = new Histogram({
  name: 'lockstep_http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const httpErrors = new Counter({
  name: 'lockstep_http_server_errors_total',
  help: 'HTTP responses with a 5xx status',
  labelNames: ['route'] as const,
  registers: [registry],
});
