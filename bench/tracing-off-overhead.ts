// What the tracing hooks cost a Trigger while OTEL_EXPORTER_OTLP_ENDPOINT is unset: the insert's
// withSpan wrapper and the two isTracingEnabled checks (RPC interceptor, publish), timed against
// the same work without them. Run: npm run build && node dist/bench/tracing-off-overhead.js
import { isTracingEnabled, withSpan } from '../src/core/telemetry/tracing.js';

const ROUNDS = 2_000_000;

async function timed(label: string, body: () => Promise<number>): Promise<number> {
  const started = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < ROUNDS; i++) sink += await body();
  const ns = Number(process.hrtime.bigint() - started) / ROUNDS;
  console.log(`${label}: ${ns.toFixed(1)} ns per trigger (sink ${sink % 7})`);
  return ns;
}

const insert = (): Promise<number> => Promise.resolve(1);
const channel = 'mock';
for (let round = 0; round < 3; round++) {
  const bare = await timed('without hooks', () => insert());
  const hooked = await timed('with hooks (tracing off)', () => {
    if (isTracingEnabled()) throw new Error('tracing must be off for this measurement');
    return withSpan(
      'notify.insert',
      { kind: 'client', attributes: { 'notify.channel': channel, 'db.operation.name': 'INSERT' } },
      () => insert(),
    );
  });
  console.log(`added: ${(hooked - bare).toFixed(1)} ns`);
}
