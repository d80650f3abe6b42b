// SSE-C in SDK tests: the request members for a customer key, and a bucket that admits SSE-C (S3 blocks it on
// new buckets since 2026, as Keyhold does).
import { createHash } from 'node:crypto';
import { PutBucketEncryptionCommand, type S3Client } from '@aws-sdk/client-s3';

export const sseC = (key: Buffer) => ({
  SSECustomerAlgorithm: 'AES256',
  SSECustomerKey: key.toString('base64'),
  SSECustomerKeyMD5: createHash('md5').update(key).digest('base64'),
});

export const allowSseC = (s3: S3Client, Bucket: string) =>
  s3.send(
    new PutBucketEncryptionCommand({
      Bucket,
      ServerSideEncryptionConfiguration: {
        Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BlockedEncryptionTypes: { EncryptionType: ['NONE'] } }],
      },
    }),
  );
