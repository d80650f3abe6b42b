import { S3Client, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
const s3 = new S3Client({ forcePathStyle: true });
s3.middlewareStack.add((next) => async (args) => { const h = args.request.headers; const signed = /SignedHeaders=([^,]+)/.exec(h.authorization)?.[1].split(';'); console.log('UNSIGNED x-amz:', Object.keys(h).filter((k) => k.toLowerCase().startsWith('x-amz-') && !signed.includes(k.toLowerCase()))); return next(args); }, { step: 'finalizeRequest', priority: 'low' });
await s3.send(new CreateBucketCommand({ Bucket: 'hdrs' })).catch(() => {});
await s3.send(new PutObjectCommand({ Bucket: 'hdrs', Key: 'k', Body: 'x', Tagging: 'a=b', Metadata: { m: 'v' } }));
process.exit(0);
