// KMS domain records. Key metadata is stored in clear (it is not secret); key material is stored only
// sealed by the barrier, in its own records (see key-store.ts).
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';
export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
export type KeyManager = 'CUSTOMER' | 'AWS';
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';
/** Symmetric encryption keys and HMAC keys (domain/hmac.ts); asymmetric key specs are not supported yet. */
export type KeySpec = 'SYMMETRIC_DEFAULT' | 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512';
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface MaterialInfo {
  /** 64 hex characters (CurrentKeyMaterialId in DescribeKey). */
  id: string;
  /** When it was made, or for a rotation when the rotation completed. */
  createdAt: number;
  /** Absent for the key's original material. */
  rotationType?: RotationType;
  /** Imported material: a keyed fingerprint that a re-import must match (the key's first import keeps it in `imported`). */
  fingerprint?: string;
  /** Imported with ImportType NEW_KEY_MATERIAL, waiting for RotateKeyOnDemand (KeyMaterialState PENDING_ROTATION). */
  pendingRotation?: { expirationModel: ExpirationModel; validTo?: number };
  /** Imported material no longer current: how it expires (the current material's is the key's `imported`). */
  expiry?: { expirationModel: ExpirationModel; validTo?: number };
  /** KeyMaterialDescription given when it was imported. */
  description?: string;
}

export interface KeyRecord {
  keyId: string;
  accountId: string;
  region: string;
  arn: string;
  creationDate: number;
  description: string;
  keyUsage: KeyUsage;
  keySpec: KeySpec;
  /** AWS_KMS: Keyhold generated the material; EXTERNAL: the customer imports it (ImportKeyMaterial). */
  origin: 'AWS_KMS' | 'EXTERNAL';
  /** EXTERNAL keys: how the imported material expires, and a keyed fingerprint that a re-import must match. */
  imported?: { expirationModel?: ExpirationModel; validTo?: number; fingerprint?: string };
  keyManager: KeyManager;
  state: KeyState;
  deletionDate?: number;
  pendingWindowInDays?: number;
  rotation: {
    enabled: boolean;
    periodDays?: number;
    nextRotationDate?: number;
    onDemandCount: number;
    onDemandStartDate?: number;
  };
  /** Every material the key has had (an EXTERNAL key's stays listed while its material is deleted, to be re-imported). */
  materials: MaterialInfo[];
  /** "" for an EXTERNAL key before its first import. */
  currentMaterialId: string;
  policy: string;
  tags: Tag[];
}

export interface AliasRecord {
  aliasName: string;
  aliasArn: string;
  accountId: string;
  region: string;
  targetKeyId: string;
  creationDate: number;
  lastUpdatedDate: number;
}

export const keyArn = (region: string, accountId: string, keyId: string) => `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
export const aliasArn = (region: string, accountId: string, aliasName: string) => `arn:aws:kms:${region}:${accountId}:${aliasName}`;
