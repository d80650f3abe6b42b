// KMS request quotas: token buckets per account, region and quota group, with AWS's ThrottlingException.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, EncryptCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('KMS request quotas', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ config: { kmsQuota: ['symmetric=5'] } });
  });
  after(() => s.stop());

  it('throttles the shared symmetric group past its rate with the AWS message', async () => {
    const kms = s.kms();
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }))));
    const throttled = results.filter((r) => r.status === 'rejected');
    assert.ok(throttled.length >= 6, `expected throttling, got ${throttled.length} rejections`);
    const err = (throttled[0] as PromiseRejectedResult).reason as { name: string; message: string; $metadata: { httpStatusCode: number } };
    assert.equal(err.name, 'ThrottlingException');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.message, 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.');
    // Other groups have their own buckets.
    await kms.send(new DescribeKeyCommand({ KeyId: key }));
    // Another region of the same account has its own bucket.
    const eu = s.kms({ region: 'eu-west-1' });
    const euKey = (await eu.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await eu.send(new EncryptCommand({ KeyId: euKey, Plaintext: Buffer.from('x') }));
  });

  it('applies the AWS default of 5 CreateKey per second', async () => {
    const strict = await startTestServer({ config: { kmsQuota: [] } });
    try {
      const kms = strict.kms();
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => kms.send(new CreateKeyCommand({}))));
      assert.ok(results.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'ThrottlingException').length >= 2);
    } finally {
      await strict.stop();
    }
  });
});
