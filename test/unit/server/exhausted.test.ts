// Running out of space or of open files is told apart from other failures by the errors the system really raises:
// ENOSPC from a write to /dev/full, SQLITE_FULL from a SQLite database held to its page limit, EMFILE from a process
// under `ulimit -n`; each becomes a 503 that says what to do.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { ServiceUnavailableException } from '../../../src/protocol/errors.js';
import { toServiceError } from '../../../src/protocol/pipeline.js';
import { createLogger } from '../../../src/server/logger.js';
import { EXHAUSTION_MESSAGE, exhaustion } from '../../../src/server/exhausted.js';
import { enospcError, sqliteFullError, thrown } from '../../helpers/full-disk.js';

const enospc = enospcError;
const sqliteFull = sqliteFullError;

const exhaustedModule = join(dirname(fileURLToPath(import.meta.url)), '../../../src/server/exhausted.js');

it('knows a full disk and a full file table by the errors the system raises, also when wrapped', () => {
  assert.equal((enospc() as { code?: string }).code, 'ENOSPC');
  assert.equal(exhaustion(enospc()), 'space');
  assert.equal((sqliteFull() as { code?: string }).code, 'SQLITE_FULL');
  assert.equal(exhaustion(sqliteFull()), 'space');
  assert.equal(exhaustion(new Error('write failed', { cause: enospc() })), 'space');
  assert.equal(exhaustion(new AggregateError([new Error('other'), enospc()])), 'space');
  for (const other of [undefined, null, 'ENOSPC', new Error('ENOSPC'), thrown(() => writeFileSync('/nonexistent/dir/f', 'x'))])
    assert.equal(exhaustion(other), undefined);
  // A process at its open-file limit: opening one more file fails with EMFILE.
  const program = `import { openSync } from 'node:fs'; import { exhaustion } from ${JSON.stringify(exhaustedModule)};
    try { for (;;) openSync('/dev/null', 'r'); } catch (err) { console.log(err.code, exhaustion(err)); }`;
  const out = execFileSync('bash', ['-c', 'ulimit -n 64 && exec "$0" --input-type=module -e "$1"', process.execPath, program], { encoding: 'utf8' });
  assert.equal(out.trim(), 'EMFILE files');
});

it('a full disk becomes ServiceUnavailableException (503) with what to do; other failures stay InternalFailure', () => {
  const log = createLogger('silent');
  for (const err of [enospc(), sqliteFull()]) {
    const e = toServiceError(err, log, 'req-1');
    assert.ok(e instanceof ServiceUnavailableException);
    assert.equal(e.status, 503);
    assert.equal(e.message, EXHAUSTION_MESSAGE.space);
  }
  const other = toServiceError(new Error('boom'), log, 'req-2');
  assert.equal(other.code, 'InternalFailure');
  assert.equal(other.status, 500);
});
