import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../../src/adapters/metrics/gateway-metrics.js';

describe('GatewayMetrics', () => {
  it('still renders when the database and broker gauges cannot be read', async () => {
    const metrics = new GatewayMetrics({
      countByStatus: () => Promise.reject(new Error('database down')),
      deadLetterDepth: () => Promise.reject(new Error('broker down')),
    });
    const { body } = await metrics.render();
    // prom-client writes NaN as `Nan`, which Prometheus parses (case-insensitively) as NaN.
    expect(body).toMatch(/^notify_dead_letter_messages nan$/im);
    expect(body).not.toMatch(/^notify_records\{/m);
    expect(body).toContain('notify_rpc_requests_total');
  });

  it('reads both gauges on scrape', async () => {
    const metrics = new GatewayMetrics({
      countByStatus: () => Promise.resolve({ sent: 3 }),
      deadLetterDepth: () => Promise.resolve(2),
    });
    const { body } = await metrics.render();
    expect(body).toMatch(/^notify_dead_letter_messages 2$/m);
    expect(body).toMatch(/^notify_records\{status="sent"\} 3$/m);
    expect(body).toMatch(/^notify_records\{status="dead"\} 0$/m);
  });
});
