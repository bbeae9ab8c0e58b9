import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Debian's python3 with python3-protobuf (a pyenv shim on PATH may lack it); protoc from protobuf-compiler. */
const PYTHON = '/usr/bin/python3';

describe('descriptors/notify.binpb serves a non-JS caller', () => {
  let harness: TestGateway;
  let work: string;
  beforeAll(async () => {
    // .ci/run installs both (apt-get install -y protobuf-compiler python3-protobuf).
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: apt-get install -y python3-protobuf`);
    harness = await startTestGateway();
    work = mkdtempSync(path.join(tmpdir(), 'ngw-descriptors-'));
  });
  afterAll(async () => {
    await harness?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('protoc generates Python from the descriptor set alone, which triggers and decodes google.rpc.Status details', async () => {
    await run(
      'protoc',
      [
        `--descriptor_set_in=${path.join(repoRoot, 'descriptors/notify.binpb')}`,
        '--python_out=.',
        'notify/v1/notification_service.proto',
        'notify/v1/notification.proto',
        'google/rpc/status.proto',
        'google/rpc/error_details.proto',
      ],
      { cwd: work },
    );
    const user = `py-${uniqueSuffix()}`;
    const { stdout } = await run(
      PYTHON,
      [path.join(repoRoot, 'test/integration/fixtures/descriptor-set-caller.py'), harness.baseUrl, user],
      // The generated modules live in work, not beside the script.
      { cwd: work, env: { ...process.env, PYTHONPATH: work } },
    );
    const [triggered, failed] = stdout.trim().split('\n');
    expect(triggered).toBe('1'); // NOTIFICATION_STATUS_PENDING
    expect(failed).toBe('3 field_required user_id user_id: is required'); // INVALID_ARGUMENT
  });
});
