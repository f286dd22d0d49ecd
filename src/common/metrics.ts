import { Counter, Gauge, Histogram, Registry, Summary, collectDefaultMetrics } from 'prom-client';

/** Haven's Prometheus metrics, on their own registry (served at /metrics). */
export class Metrics {
  readonly registry = new Registry();
  readonly inbound = new Counter({
    name: 'haven_inbound_messages_total',
    help: 'Messages received, by channel and outcome (queued, duplicate, rate_limited, error)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly outbound = new Counter({
    name: 'haven_outbound_messages_total',
    help: 'Messages sent, by channel and outcome (sent, refused, failed, not_sent, opted_out)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly sendErrors = new Counter({
    name: 'haven_send_errors_total',
    help: 'Platform send errors by channel and code',
    labelNames: ['channel', 'code'] as const,
    registers: [this.registry],
  });
  readonly alertQueuedSeconds = new Histogram({
    name: 'haven_alert_queued_seconds',
    help: 'From message accepted to its safeguarding alert queued',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  /** The same latency as exact quantiles over the last 10 minutes (benchmarks read its p99). */
  readonly alertQueuedQuantiles = new Summary({
    name: 'haven_alert_queued_quantile_seconds',
    help: 'From message accepted to its safeguarding alert queued, quantiles over 10 minutes',
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [this.registry],
  });
  readonly alertAckSeconds = new Histogram({
    name: 'haven_alert_acknowledged_seconds',
    help: 'From alert raised to acknowledged by staff',
    buckets: [30, 60, 120, 300, 600, 1200, 3600, 14400],
    registers: [this.registry],
  });
  readonly flowErrors = new Counter({
    name: 'haven_flow_errors_total',
    help: 'Errors thrown inside a flow (the message still goes on to the next flow)',
    labelNames: ['flow'] as const,
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'haven_queue_jobs',
    help: 'Jobs waiting, delayed, active or failed per queue (sampled at scrape)',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  constructor(opts: { defaults?: boolean } = {}) {
    if (opts.defaults) collectDefaultMetrics({ register: this.registry, prefix: 'haven_' });
  }
}
