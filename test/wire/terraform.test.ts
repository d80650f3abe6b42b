// Terraform with the AWS provider against a running Keyhold: KMS keys, aliases, grants and ciphertexts, an IAM
// user with tags, a key and a policy, an encrypted bucket with its settings (ownership controls included), an
// object, a private ACM certificate, and Terraform's own state kept in a Keyhold bucket under SSE-KMS with
// S3-native locking (a lock object written with If-None-Match: *). Then a plan that must find no drift (every
// setting reads back as written), a held lock that refuses a second run, and a destroy.
// Terraform and the provider are not Debian packages: the machine image carries them (/usr/local/bin/terraform,
// the provider under /opt/tf-plugins), and the test is skipped where they are absent, CI included.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { errorName, startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const TERRAFORM = '/usr/local/bin/terraform';
const MIRROR = '/opt/tf-plugins';
const PROVIDER = `${MIRROR}/registry.terraform.io/hashicorp/aws/5.100.0`;
const skip = !existsSync(TERRAFORM) || !existsSync(PROVIDER) ? 'terraform and its AWS provider 5.100.0 are not on this machine' : false;

const config = (endpoint: string, account: string, stateKey: string) => `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
  backend "s3" {
    bucket         = "tf-state"
    key            = "app/terraform.tfstate"
    region         = "us-east-1"
    use_path_style = true
    use_lockfile   = true
    encrypt        = true
    kms_key_id     = "${stateKey}"
    endpoints      = { s3 = "${endpoint}", sts = "${endpoint}", iam = "${endpoint}" }
  }
}

provider "aws" {
  region                  = "us-east-1"
  skip_metadata_api_check = true
  s3_use_path_style       = true
  endpoints {
    kms = "${endpoint}"
    s3  = "${endpoint}"
    acm = "${endpoint}"
    sts = "${endpoint}"
    iam = "${endpoint}"
  }
}

resource "aws_kms_key" "data" {
  description             = "terraform data key"
  deletion_window_in_days = 7
  enable_key_rotation     = true
  tags                    = { team = "storage" }
}

resource "aws_kms_alias" "data" {
  name          = "alias/tf-data"
  target_key_id = aws_kms_key.data.key_id
}

resource "aws_s3_bucket" "data" {
  bucket        = "tf-data-bucket"
  force_destroy = true
  tags          = { env = "test" }
}

resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration { status = "Enabled" }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyUnencryptedWrites"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:PutObject"
      Resource  = "\${aws_s3_bucket.data.arn}/*"
      Condition = { StringNotEquals = { "s3:x-amz-server-side-encryption" = "aws:kms" } }
    }]
  })
}

resource "aws_s3_bucket_ownership_controls" "data" {
  bucket = aws_s3_bucket.data.id
  rule { object_ownership = "BucketOwnerEnforced" }
}

resource "aws_iam_user" "app" {
  name = "tf-app"
  tags = { team = "apps" }
}

resource "aws_iam_access_key" "app" { user = aws_iam_user.app.name }

resource "aws_iam_user_policy" "app" {
  name = "use-data-key"
  user = aws_iam_user.app.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey"], Resource = aws_kms_key.data.arn }]
  })
}

resource "aws_kms_grant" "app" {
  name              = "app-grant"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_user.app.arn
  operations        = ["Decrypt", "GenerateDataKey"]
  constraints {
    encryption_context_equals = { app = "demo" }
  }
}

resource "aws_s3_object" "hello" {
  bucket                 = aws_s3_bucket.data.id
  key                    = "hello.txt"
  content                = "hello from terraform"
  server_side_encryption = "aws:kms"
  kms_key_id             = aws_kms_key.data.arn
  depends_on             = [aws_s3_bucket_server_side_encryption_configuration.data, aws_s3_bucket_policy.data]
}

resource "aws_acm_certificate" "app" {
  domain_name               = "app.internal"
  subject_alternative_names = ["api.app.internal"]
  certificate_authority_arn = "arn:aws:acm-pca:us-east-1:${account}:certificate-authority/keyhold-us-east-1"
  key_algorithm             = "EC_prime256v1"
}

# ListCertificates returns RSA_1024 and RSA_2048 certificates unless asked for other key types, as on AWS.
data "aws_acm_certificate" "app" {
  domain     = "app.internal"
  key_types  = ["EC_prime256v1"]
  depends_on = [aws_acm_certificate.app]
}

resource "aws_kms_ciphertext" "secret" {
  key_id    = aws_kms_key.data.key_id
  plaintext = "s3cr3t"
  context   = { app = "demo" }
}

data "aws_kms_secrets" "back" {
  secret {
    name    = "pw"
    payload = aws_kms_ciphertext.secret.ciphertext_blob
    context = { app = "demo" }
  }
}

output "key_arn" { value = aws_kms_key.data.arn }
output "cert_status" { value = aws_acm_certificate.app.status }
output "cert_found" { value = data.aws_acm_certificate.app.arn == aws_acm_certificate.app.arn }
output "roundtrip" {
  value     = data.aws_kms_secrets.back.plaintext["pw"]
  sensitive = true
}
`;

describe('Terraform (AWS provider 5.100.0) against Keyhold', { skip }, () => {
  let s: TestServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let stateKey: string;
  const terraform = async (...args: string[]) => {
    try {
      return (await run(TERRAFORM, [...args, '-no-color'], { cwd: dir, env, maxBuffer: 1 << 24 })).stdout;
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      throw Object.assign(new Error(`terraform ${args[0]} exited ${e.code}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`), {
        code: e.code,
        out: `${e.stdout}${e.stderr}`,
      });
    }
  };

  before(async () => {
    s = await startTestServer();
    dir = tempDir('keyhold-terraform-');
    const account = (await s.sts().send(new GetCallerIdentityCommand({}))).Account!;
    stateKey = (await s.kms().send(new CreateKeyCommand({ Description: 'terraform state' }))).KeyMetadata!.Arn!;
    await s.s3().send(new CreateBucketCommand({ Bucket: 'tf-state' }));
    await s.s3().send(new PutBucketVersioningCommand({ Bucket: 'tf-state', VersioningConfiguration: { Status: 'Enabled' } }));
    // The provider comes from the machine's mirror (symlinked by init), never from the network.
    writeFileSync(
      join(dir, 'terraformrc'),
      `provider_installation {\n  filesystem_mirror {\n    path = "${MIRROR}"\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n`,
    );
    writeFileSync(join(dir, 'main.tf'), config(s.endpoint, account, stateKey));
    env = {
      PATH: '/usr/bin:/bin',
      HOME: dir,
      TF_CLI_CONFIG_FILE: join(dir, 'terraformrc'),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: s.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.credentials.secretAccessKey,
      AWS_CA_BUNDLE: s.kh.caPath,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  });
  after(() => s.stop());

  it('applies KMS, S3 and ACM resources with its state in Keyhold under SSE-KMS; a plan then finds no drift', async () => {
    await terraform('init', '-input=false');
    await terraform('apply', '-auto-approve', '-input=false');
    const out = JSON.parse(await terraform('output', '-json')) as Record<string, { value: unknown }>;
    assert.deepEqual([out.cert_status?.value, out.cert_found?.value, out.roundtrip?.value], ['ISSUED', true, 's3cr3t']);
    const keyArn = out.key_arn?.value as string;
    const object = await s.s3().send(new HeadObjectCommand({ Bucket: 'tf-data-bucket', Key: 'hello.txt' }));
    assert.deepEqual([object.ServerSideEncryption, object.SSEKMSKeyId, object.BucketKeyEnabled], ['aws:kms', keyArn, true]);
    const rule = (await s.s3().send(new GetBucketEncryptionCommand({ Bucket: 'tf-data-bucket' }))).ServerSideEncryptionConfiguration?.Rules?.[0];
    assert.deepEqual([rule?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID, rule?.BucketKeyEnabled], [keyArn, true]);
    const state = await s.s3().send(new HeadObjectCommand({ Bucket: 'tf-state', Key: 'app/terraform.tfstate' }));
    assert.deepEqual([state.ServerSideEncryption, state.SSEKMSKeyId], ['aws:kms', stateKey]);
    // Exit code 0: every resource read back exactly as configured (2 would mean changes to make).
    await terraform('plan', '-input=false', '-detailed-exitcode');
  });

  it('a held S3 lock file refuses a second run; destroy removes everything', async () => {
    await s.s3().send(
      new PutObjectCommand({
        Bucket: 'tf-state',
        Key: 'app/terraform.tfstate.tflock',
        Body: JSON.stringify({
          ID: '11111111-2222-3333-4444-555555555555',
          Operation: 'OperationTypeApply',
          Who: 'someone@else',
          Path: 'tf-state/app/terraform.tfstate',
        }),
      }),
    );
    const locked = await terraform('plan', '-input=false', '-lock-timeout=0s').then(
      () => '',
      (err: { out?: string }) => err.out ?? '',
    );
    assert.match(locked, /Error acquiring the state lock/);
    assert.match(locked, /someone@else/);
    await s.s3().send(new DeleteObjectCommand({ Bucket: 'tf-state', Key: 'app/terraform.tfstate.tflock' }));
    const out = JSON.parse(await terraform('output', '-json')) as Record<string, { value: unknown }>;
    await terraform('destroy', '-auto-approve', '-input=false');
    assert.equal(await errorName(s.s3().send(new HeadBucketCommand({ Bucket: 'tf-data-bucket' }))), 'NotFound');
    const key = await s.kms().send(new DescribeKeyCommand({ KeyId: out.key_arn?.value as string }));
    assert.equal(key.KeyMetadata?.KeyState, 'PendingDeletion');
  });
});
