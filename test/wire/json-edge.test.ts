// The AWS JSON 1.1 edge with raw requests signed by the SDK's own signer: every malformed or
// unauthenticated request gets its AWS error (never a 500), and every authenticated call is audited once.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, ReEncryptCommand } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { readAuditDir } from '../../src/audit/reader.js';
import { jsonCall, send } from '../helpers/raw-request.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { openKeyringForTest } from '../helpers/audit.js';

describe('AWS JSON 1.1 edge (raw requests)', () => {
  let s: TestServer;
  let keyId: string;
  const call = (target: string, body: string | Buffer, o: Partial<Parameters<typeof jsonCall>[4]> = {}) =>
    jsonCall(s.endpoint, s.agent, target, body, { credentials: s.credentials, ...o });
  const typeOf = (r: { body: string }) => (JSON.parse(r.body) as { __type: string }).__type;
  before(async () => {
    s = await startTestServer();
    keyId = (await s.kms().send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  });
  after(() => s.stop());

  it('GET /health answers 200 without authentication', async () => {
    const r = await send(s.endpoint, s.agent, { method: 'GET', path: '/health', headers: {} });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { status: 'ok' });
  });

  it('a valid signed call succeeds and carries x-amzn-RequestId', async () => {
    const r = await call('TrentService.DescribeKey', JSON.stringify({ KeyId: keyId }));
    assert.equal(r.status, 200);
    assert.match(String(r.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
    assert.equal(r.headers['content-type'], 'application/x-amz-json-1.1');
  });

  it('unknown operation and unknown service prefix -> UnknownOperationException', async () => {
    for (const target of ['TrentService.Frobnicate', 'NoSuchService.DescribeKey', 'TrentService']) {
      const r = await call(target, '{}');
      assert.equal(r.status, 400, target);
      assert.equal(typeOf(r), 'UnknownOperationException', target);
    }
  });

  it('known KMS operations that are not implemented yet say so', async () => {
    for (const op of ['Sign', 'Verify', 'GetPublicKey', 'GenerateDataKeyPair']) {
      const r = await call(`TrentService.${op}`, JSON.stringify({ KeyId: keyId }));
      assert.equal(r.status, 400, op);
      assert.equal(typeOf(r), 'UnsupportedOperationException', op);
      assert.match(JSON.parse(r.body).message, /not supported by this Keyhold version/);
    }
    const stores = await call('TrentService.DescribeCustomKeyStores', '{}');
    assert.deepEqual(JSON.parse(stores.body), { CustomKeyStores: [], Truncated: false });
  });

  it('malformed JSON, non-object bodies and duplicate members -> SerializationException', async () => {
    for (const body of [
      '{not json',
      '[]',
      '"str"',
      '{"KeyId":"a","KeyId":"b"}',
      `{"KeyId":"${keyId}","Plaintext":"eA==","EncryptionContext":{"a":"1","a":"2"}}`,
    ]) {
      const r = await call('TrentService.Encrypt', body);
      assert.equal(r.status, 400, body);
      assert.equal(typeOf(r), 'SerializationException', body);
    }
    const wrongType = await call('TrentService.DescribeKey', JSON.stringify({ KeyId: 42 }));
    assert.equal(typeOf(wrongType), 'SerializationException');
  });

  it('an oversized body -> 413 RequestEntityTooLargeException, the server keeps serving', async () => {
    const r = await call('TrentService.Encrypt', JSON.stringify({ KeyId: keyId, Plaintext: randomBytes(1024 * 1024).toString('base64') }));
    assert.equal(r.status, 413);
    assert.equal(typeOf(r), 'RequestEntityTooLargeException');
    assert.equal((await call('TrentService.DescribeKey', JSON.stringify({ KeyId: keyId }))).status, 200);
  });

  it('authentication failures get the JSON-protocol error codes', async () => {
    const noAuth = await send(s.endpoint, s.agent, {
      method: 'POST',
      path: '/',
      headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    assert.equal(noAuth.status, 400);
    assert.equal(typeOf(noAuth), 'MissingAuthenticationTokenException');
    const badSecret = await call('TrentService.ListKeys', '{}', { credentials: { ...s.credentials, secretAccessKey: 'wrong-secret-wrong-secret' } });
    assert.equal(typeOf(badSecret), 'InvalidSignatureException');
    const unknownKey = await call('TrentService.ListKeys', '{}', { credentials: { accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x'.repeat(40) } });
    assert.equal(typeOf(unknownKey), 'UnrecognizedClientException');
    const skewed = await call('TrentService.ListKeys', '{}', { date: new Date(Date.now() - 16 * 60_000) });
    assert.equal(typeOf(skewed), 'InvalidSignatureException');
    assert.match(JSON.parse(skewed.body).message, /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
    const future = await call('TrentService.ListKeys', '{}', { date: new Date(Date.now() + 16 * 60_000) });
    assert.match(JSON.parse(future.body).message, /^Signature not yet current/);
    const okSkew = await call('TrentService.ListKeys', '{}', { date: new Date(Date.now() - 14 * 60_000) });
    assert.equal(okSkew.status, 200);
    const wrongService = await call('TrentService.ListKeys', '{}', { service: 's3' });
    assert.equal(typeOf(wrongService), 'InvalidSignatureException');
    const unsignedTarget = await call('TrentService.ListKeys', '{}', { unsigned: ['x-amz-target'] });
    assert.equal(unsignedTarget.status, 400);
    const badHash = await call('TrentService.ListKeys', '{}', { headers: { 'x-amz-content-sha256': '0'.repeat(64) } });
    assert.equal(typeOf(badHash), 'InvalidSignatureException');
  });

  it('a JSON object with its own "toString" or "valueOf" member where a string is expected is a 400, never a 500', async () => {
    // String() on such an object calls the member, which is not a function: a TypeError, once a 500.
    const hostile: unknown[] = [{ toString: 0 }, { valueOf: 'x', toString: 'y' }];
    for (const value of hostile) {
      const grant = await call(
        'TrentService.CreateGrant',
        JSON.stringify({ KeyId: keyId, GranteePrincipal: 'arn:aws:iam::111122223333:root', Operations: [value] }),
      );
      assert.equal(grant.status, 400, grant.body);
      const cert = await call('CertificateManager.RequestCertificate', JSON.stringify({ DomainName: 'x.example.test', SubjectAlternativeNames: [value] }), {
        service: 'acm',
      });
      assert.equal(cert.status, 400, cert.body);
      assert.equal(typeOf(cert), 'SerializationException');
      const tags = await call('TrentService.TagResource', JSON.stringify({ KeyId: keyId, Tags: [{ TagKey: value, TagValue: 'v' }] }));
      assert.equal(tags.status, 400, tags.body);
      const context = await call('TrentService.Encrypt', JSON.stringify({ KeyId: keyId, Plaintext: 'AAAA', EncryptionContext: { a: value } }));
      assert.equal(context.status, 400, context.body);
    }
  });

  it('never answers 5xx to arbitrary bodies (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('Encrypt', 'Decrypt', 'CreateKey', 'ListKeys', 'TagResource', 'GenerateDataKey', 'CreateAlias'),
        fc.oneof(fc.json(), fc.string()),
        async (op, body) => {
          const r = await call(`TrentService.${op}`, body);
          assert.ok(r.status < 500, `${op} ${body} -> ${r.status} ${r.body}`);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('audits every authenticated call exactly once, with no plaintext or data key', async () => {
    const kms = s.kms();
    const secret = `audit-probe-${randomBytes(8).toString('hex')}`;
    const enc = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(secret), EncryptionContext: { project: 'audit', Department: 'IT' } }));
    const gdk = await call('TrentService.GenerateDataKey', JSON.stringify({ KeyId: keyId, KeySpec: 'AES_256' }));
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { project: 'audit', Department: 'IT' } }));
    const re = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob: enc.CiphertextBlob,
        SourceEncryptionContext: { project: 'audit', Department: 'IT' },
        DestinationKeyId: other,
      }),
    );
    const dataKey = JSON.parse(gdk.body).Plaintext as string;
    const failing = await call('TrentService.DescribeKey', JSON.stringify({ KeyId: 'alias/nope' }));
    const wrongKey = (await kms
      .send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: other, EncryptionContext: { project: 'audit', Department: 'IT' } }))
      .then(
        () => ({ name: 'served', $metadata: {} }),
        (e: { name: string; $metadata: { requestId?: string } }) => e,
      )) as { name: string; $metadata: { requestId?: string } };
    assert.equal(wrongKey.name, 'IncorrectKeyException');
    const alias = await kms.send(new CreateAliasCommand({ AliasName: 'alias/audited', TargetKeyId: other }));
    const root = await openKeyringForTest(s.dataDir);
    const events = [...readAuditDir(root.derive('audit-v1'), `${s.dataDir}/audit`)];
    assert.ok(
      events.every((e) => 'event' in e),
      'every record authenticates',
    );
    const all = events.map((e) => ('event' in e ? e.event : undefined)).filter((e) => e !== undefined);
    const byId = (id: unknown) => all.filter((e) => e.requestID === id);
    assert.equal(byId(gdk.headers['x-amzn-requestid']).length, 1);
    const f = byId(failing.headers['x-amzn-requestid']);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.errorCode, 'NotFoundException');
    const encEvent = all.find(
      (e) => e.eventName === 'Encrypt' && (e.requestParameters as { encryptionContext?: { project?: string } })?.encryptionContext?.project === 'audit',
    );
    assert.ok(encEvent, 'the Encrypt call is audited with its (non-secret) encryption context');
    // Context keys are the caller's: logged as sent, not camel-cased like member names (CloudTrail shows them so).
    assert.deepEqual(encEvent.requestParameters?.encryptionContext, { project: 'audit', Department: 'IT' });
    assert.equal(encEvent.eventSource, 'kms.amazonaws.com');
    assert.equal(encEvent.userIdentity.accessKeyId, s.credentials.accessKeyId);
    assert.equal(encEvent.resources?.[0]?.ARN, enc.KeyId);
    // As CloudTrail: the algorithm of every Encrypt and Decrypt, and the key a Decrypt used, even when not sent.
    assert.equal(encEvent.requestParameters?.encryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    const decEvent = byId(dec.$metadata.requestId)[0]!;
    assert.deepEqual([decEvent.requestParameters?.keyId, decEvent.requestParameters?.encryptionAlgorithm], [enc.KeyId, 'SYMMETRIC_DEFAULT']);
    const reEvent = byId(re.$metadata.requestId)[0]!;
    assert.deepEqual(
      reEvent.resources?.map((r) => r.ARN),
      [enc.KeyId, other],
      'ReEncrypt names its source and destination keys',
    );
    assert.equal(reEvent.requestParameters?.destinationEncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    assert.deepEqual(
      byId(alias.$metadata.requestId)[0]!.resources?.map((r) => r.ARN),
      [other, `arn:aws:kms:us-east-1:${s.kh.accountId}:alias/audited`],
      'an alias operation names the key and the alias',
    );
    // A refused call names the key it was found to name, as CloudTrail does.
    const refused = byId(wrongKey.$metadata.requestId)[0]!;
    assert.deepEqual([refused.errorCode, refused.resources?.map((r) => r.ARN)], ['IncorrectKeyException', [other]]);
    const text = JSON.stringify(all);
    assert.equal(text.includes(Buffer.from(secret).toString('base64')), false);
    assert.equal(text.includes(secret), false);
    assert.equal(text.includes(dataKey), false);
    assert.equal(text.includes(s.credentials.secretAccessKey), false);
    root.destroy();
  });
});
