import { MoreThan, Not, type DataSource, type Repository } from 'typeorm';
import type { QuietHours } from '../../core/user-config/channel-settings-source.js';
import type {
  ChannelConfigWrite,
  StoredChannelConfig,
  UserConfigStore,
} from '../../core/user-config/user-config-store.js';
import { CoalescingBatcher } from '../../core/shared/coalescing-batcher.js';
import { readBool, readDate, readInt, readNullableText, readText, type RawRow } from './row-values.js';
import { MYSQL_DIALECT, type SqlDialect } from './sql-dialect.js';
import { UserChannelConfigEntity, type UserChannelConfigRow } from './user-channel-config-entity.js';

const CONFIG_COLUMNS = `id, user_id, channel, enabled, settings_ciphertext, key_id, quiet_hours_start,
  quiet_hours_end, timezone, locale, state, invalid_reason, created_at, updated_at, version`;

/** A batched settings read: one `(user_id = ? AND channel = ?)` term per key, a range scan on the unique key. */
function getManySql(keys: number): string {
  const terms = Array.from({ length: keys }, () => '(user_id = ? AND channel = ?)').join(' OR ');
  return `SELECT ${CONFIG_COLUMNS} FROM user_channel_configs WHERE ${terms}`;
}

/** Batches of concurrent settings reads: a few at once, each answering up to 64 lookups. */
const GET_BATCHING = { maxInFlight: 4, maxBatch: 64 } as const;

interface ConfigKey {
  readonly userId: string;
  readonly channel: string;
}

/** How the database tells keys apart: byte for byte (NO PAD collation since migration 1767300000000). */
const keyText = (userId: string, channel: string): string => `${userId}\u0000${channel}`;

function rowFromRaw(raw: RawRow): UserChannelConfigRow {
  return {
    // BIGINT: a number from mysql2 and SQLite, a string with bigNumberStrings.
    id: String(raw.id),
    userId: readText(raw, 'user_id'),
    channel: readText(raw, 'channel'),
    enabled: readBool(raw, 'enabled'),
    settingsCiphertext: readNullableText(raw, 'settings_ciphertext'),
    keyId: readNullableText(raw, 'key_id'),
    quietHoursStart: readNullableText(raw, 'quiet_hours_start'),
    quietHoursEnd: readNullableText(raw, 'quiet_hours_end'),
    timezone: readNullableText(raw, 'timezone'),
    locale: readNullableText(raw, 'locale'),
    state: readText(raw, 'state') === 'invalid' ? 'invalid' : 'valid',
    invalidReason: readNullableText(raw, 'invalid_reason'),
    createdAt: readDate(raw, 'created_at'),
    updatedAt: readDate(raw, 'updated_at'),
    version: readInt(raw, 'version'),
  };
}

function toStored(row: UserChannelConfigRow): StoredChannelConfig {
  const quietHours: QuietHours | null =
    row.quietHoursStart && row.quietHoursEnd ? { start: row.quietHoursStart, end: row.quietHoursEnd } : null;
  return {
    id: String(row.id),
    userId: row.userId,
    channel: row.channel,
    enabled: Boolean(row.enabled),
    sealedSettings:
      row.settingsCiphertext && row.keyId ? { keyId: row.keyId, ciphertext: row.settingsCiphertext } : null,
    timezone: row.timezone ?? '',
    locale: row.locale ?? '',
    quietHours,
    state: row.state === 'invalid' ? 'invalid' : 'valid',
    invalidReason: row.invalidReason,
    updatedAt: row.updatedAt,
    version: Number(row.version),
  };
}

/**
 * user_channel_configs through the TypeORM repository API: not a hot path, and the repository
 * keeps it portable between MySQL and the embedded SQLite store.
 */
export class TypeormUserConfigStore implements UserConfigStore {
  private readonly repository: Repository<UserChannelConfigRow>;
  // Every trigger and every delivery reads settings: concurrent reads share one statement.
  private readonly reads = new CoalescingBatcher<ConfigKey, StoredChannelConfig | null>(
    (keys) => this.getMany(keys),
    GET_BATCHING,
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: Pick<SqlDialect, 'isDuplicateKey'> = MYSQL_DIALECT,
  ) {
    this.repository = dataSource.getRepository(UserChannelConfigEntity);
  }

  async upsert(write: ChannelConfigWrite, now: Date): Promise<StoredChannelConfig> {
    const values = {
      enabled: write.enabled,
      settingsCiphertext: write.sealedSettings?.ciphertext ?? null,
      keyId: write.sealedSettings?.keyId ?? null,
      quietHoursStart: write.quietHours?.start ?? null,
      quietHoursEnd: write.quietHours?.end ?? null,
      timezone: write.timezone || null,
      locale: write.locale || null,
      state: 'valid' as const,
      invalidReason: null,
      updatedAt: now,
    };
    const where = { userId: write.userId, channel: write.channel };
    // Update first, insert when absent; a concurrent insert losing on the unique key updates instead.
    for (let attempt = 0; attempt < 3; attempt++) {
      const updated = await this.repository.update(where, { ...values, version: () => 'version + 1' });
      if ((updated.affected ?? 0) === 0) {
        try {
          await this.repository.insert({ ...where, ...values, createdAt: now, version: 1 });
        } catch (error) {
          if (this.dialect.isDuplicateKey(error)) continue;
          throw error;
        }
      }
      const stored = await this.get(write.userId, write.channel);
      if (stored) return stored;
    }
    throw new Error('user channel config upsert did not converge');
  }

  get(userId: string, channel: string): Promise<StoredChannelConfig | null> {
    return this.reads.load({ userId, channel });
  }

  private async getMany(keys: readonly ConfigKey[]): Promise<Array<StoredChannelConfig | null>> {
    // Raw SQL skips the repository's per-call metadata work (BENCHMARKS.md).
    const rows = await this.dataSource.query<RawRow[]>(
      getManySql(keys.length),
      keys.flatMap((key) => [key.userId, key.channel]),
    );
    const byKey = new Map<string, StoredChannelConfig>();
    for (const raw of rows) {
      const stored = toStored(rowFromRaw(raw));
      byKey.set(keyText(stored.userId, stored.channel), stored);
    }
    return keys.map((key) => byKey.get(keyText(key.userId, key.channel)) ?? null);
  }

  async listForUser(userId: string): Promise<StoredChannelConfig[]> {
    const rows = await this.repository.find({ where: { userId }, order: { channel: 'ASC' } });
    return rows.map(toStored);
  }

  async delete(userId: string, channel: string): Promise<boolean> {
    const result = await this.repository.delete({ userId, channel });
    return (result.affected ?? 0) > 0;
  }

  async markInvalid(userId: string, channel: string, reason: string, now: Date): Promise<void> {
    await this.repository.update(
      { userId, channel },
      { state: 'invalid', invalidReason: reason.slice(0, 255), updatedAt: now, version: () => 'version + 1' },
    );
  }

  async listSealedWithOtherKey(
    keyId: string,
    afterId: string,
    limit: number,
  ): Promise<StoredChannelConfig[]> {
    const rows = await this.repository.find({
      where: { keyId: Not(keyId), id: MoreThan(afterId) },
      order: { id: 'ASC' },
      take: limit,
    });
    return rows.filter((row) => row.settingsCiphertext !== null).map(toStored);
  }

  async reseal(
    id: string,
    version: number,
    sealed: { keyId: string; ciphertext: string },
    now: Date,
  ): Promise<boolean> {
    const result = await this.repository.update(
      { id, version },
      {
        keyId: sealed.keyId,
        settingsCiphertext: sealed.ciphertext,
        updatedAt: now,
        version: () => 'version + 1',
      },
    );
    return (result.affected ?? 0) > 0;
  }
}
