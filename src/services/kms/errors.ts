// KMS error catalog (shared/reference/kms.md §2): every client error is HTTP 400 on the wire, as the
// real service answers, whatever the Smithy model says.
import { defineError } from '../../protocol/errors.js';

export const NotFoundException = defineError('NotFoundException');
export const DisabledException = defineError('DisabledException');
export const KMSInvalidStateException = defineError('KMSInvalidStateException');
export const InvalidCiphertextException = defineError('InvalidCiphertextException');
export const IncorrectKeyException = defineError(
  'IncorrectKeyException',
  400,
  'The key ID in the request does not identify a CMK that can perform this operation.',
);
export const InvalidKeyUsageException = defineError('InvalidKeyUsageException');
export const KMSInvalidMacException = defineError('KMSInvalidMacException');
export const AlreadyExistsException = defineError('AlreadyExistsException');
export const LimitExceededException = defineError('LimitExceededException');
export const TagException = defineError('TagException');
export const InvalidMarkerException = defineError('InvalidMarkerException', 400, 'The marker is not valid.');
export const InvalidAliasNameException = defineError('InvalidAliasNameException');
export const InvalidArnException = defineError('InvalidArnException');
export const MalformedPolicyDocumentException = defineError('MalformedPolicyDocumentException');
export const UnsupportedOperationException = defineError('UnsupportedOperationException');
export const DryRunOperationException = defineError('DryRunOperationException', 400, 'The request would have succeeded, but the DryRun option is set.');
export const CustomKeyStoreNotFoundException = defineError('CustomKeyStoreNotFoundException');
export const KMSInternalException = defineError('KMSInternalException', 500);
export const IncorrectKeyMaterialException = defineError(
  'IncorrectKeyMaterialException',
  400,
  'The key material in the request is, expired, invalid, or is not the same key material that was previously imported into this KMS key.',
);
export const InvalidImportTokenException = defineError('InvalidImportTokenException', 400, 'The import token is not valid for this KMS key.');
export const ExpiredImportTokenException = defineError(
  'ExpiredImportTokenException',
  400,
  'The import token has expired. Use GetParametersForImport to get a new one.',
);
