import type { SecretBox } from '../secrets/secret-box.js';
import type { UserConfigStore } from './user-config-store.js';

/**
 * Re-encrypt every stored settings value with the newest key (`notify-gateway rotate-secrets`).
 * Rows are resealed with compare-and-set on version, so a concurrent upsert is never overwritten;
 * rows that moved are skipped (they were just written with the newest key anyway).
 */
export async function rotateSecrets(
  store: UserConfigStore,
  box: SecretBox,
  now: () => Date,
  batchSize = 200,
): Promise<number> {
  if (!box.encrypts) throw new Error('rotate-secrets needs NOTIFY_SECRET_KEYS (the first key is the newest)');
  let rotated = 0;
  let afterId = '0';
  for (;;) {
    const batch = await store.listSealedWithOtherKey(box.primaryKeyId, afterId, batchSize);
    if (batch.length === 0) return rotated;
    for (const row of batch) {
      afterId = row.id;
      if (!row.sealedSettings) continue;
      const resealed = box.seal(box.open(row.sealedSettings));
      if (await store.reseal(row.id, row.version, resealed, now())) rotated += 1;
    }
  }
}
