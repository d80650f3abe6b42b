// A full disk is told apart from other failures by the errors the system really raises: ENOSPC from a write to
// /dev/full, SQLITE_FULL from a SQLite database held to its page limit; either becomes a 503 that says what to do.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { it } from 'node:test';
import { ServiceUnavailableException } from '../../../src/protocol/errors.js';
import { toServiceError } from '../../../src/protocol/pipeline.js';
import { createLogger } from '../../../src/server/logger.js';
import { isOutOfSpace, OUT_OF_SPACE_MESSAGE } from '../../../src/storage/out-of-space.js';
import { enospcError, sqliteFullError, thrown } from '../../helpers/full-disk.js';

const enospc = enospcError;
const sqliteFull = sqliteFullError;

it('knows a full disk by the errors the system raises, also when wrapped', () => {
  assert.equal((enospc() as { code?: string }).code, 'ENOSPC');
  assert.equal(isOutOfSpace(enospc()), true);
  assert.equal((sqliteFull() as { code?: string }).code, 'SQLITE_FULL');
  assert.equal(isOutOfSpace(sqliteFull()), true);
  assert.equal(isOutOfSpace(new Error('write failed', { cause: enospc() })), true);
  assert.equal(isOutOfSpace(new AggregateError([new Error('other'), enospc()])), true);
  for (const other of [undefined, null, 'ENOSPC', new Error('ENOSPC'), thrown(() => writeFileSync('/nonexistent/dir/f', 'x'))])
    assert.equal(isOutOfSpace(other), false);
});

it('a full disk becomes ServiceUnavailableException (503) with what to do; other failures stay InternalFailure', () => {
  const log = createLogger('silent');
  for (const err of [enospc(), sqliteFull()]) {
    const e = toServiceError(err, log, 'req-1');
    assert.ok(e instanceof ServiceUnavailableException);
    assert.equal(e.status, 503);
    assert.equal(e.message, OUT_OF_SPACE_MESSAGE);
  }
  const other = toServiceError(new Error('boom'), log, 'req-2');
  assert.equal(other.code, 'InternalFailure');
  assert.equal(other.status, 500);
});
