// ACM records (stored in the metadata store as acm/cert <region>/<account>/<id>). Private keys are kept
// only sealed by KMS (alias/aws/acm): a KMS data key wraps the PKCS#8 key, AAD = the certificate ARN.
import type { KeyAlgorithm } from '../../pki/issuance.js';

export type CertStatus = 'PENDING_VALIDATION' | 'ISSUED' | 'INACTIVE' | 'EXPIRED' | 'VALIDATION_TIMED_OUT' | 'REVOKED' | 'FAILED';
export type CertType = 'AMAZON_ISSUED' | 'PRIVATE' | 'IMPORTED';

// The id's characters are the API's Arn pattern ([\w+=,.@-]); an id ACM never issued is not found, not invalid
// (moto's ACM tests, which use `certificate/_0000000-...`, expect ResourceNotFoundException).
const CERT_ARN = /^arn:aws:acm:([a-z0-9-]+):(\d{12}):certificate\/([\w+=,.@-]{1,128})$/;

/** `arn:aws:acm:<region>:<account>:certificate/<uuid>` → its parts, or undefined when malformed. */
export function parseCertificateArn(arn: string): { region: string; accountId: string; id: string } | undefined {
  const m = CERT_ARN.exec(arn);
  return m ? { region: m[1]!, accountId: m[2]!, id: m[3]! } : undefined;
}

export interface SealedPrivateKey {
  kmsCiphertext: string;
  wrapped: string;
}

export interface DomainValidationState {
  domainName: string;
  validationDomain: string;
  status: 'PENDING_VALIDATION' | 'SUCCESS' | 'FAILED';
  recordName: string;
  recordValue: string;
}

export interface CertRecord {
  id: string;
  arn: string;
  accountId: string;
  region: string;
  domainName: string;
  sans: string[];
  type: CertType;
  status: CertStatus;
  keyAlgorithm: KeyAlgorithm | 'IMPORTED';
  validationMethod?: 'DNS';
  domainValidations: DomainValidationState[];
  createdAt: number;
  issuedAt?: number;
  importedAt?: number;
  revokedAt?: number;
  revocationReason?: string;
  failureReason?: string;
  certPem?: string;
  chainPem?: string;
  sealedKey?: SealedPrivateKey;
  exported: boolean;
  inUseBy: string[];
  options: { CertificateTransparencyLoggingPreference: string; Export: string };
  renewal?: { status: string; updatedAt: number; reason?: string };
  tags: Array<{ Key: string; Value?: string }>;
  idempotencyToken?: string;
  certificateAuthorityArn?: string;
  /** Revoked serials of earlier renewals stay on the CRL; the current serial is in the certificate. */
}
