// Who is calling: the account root user or an IAM user, resolved from the access key by SigV4 — or, for S3
// requests that carry no signature, the anonymous principal, whom only a resource policy naming "*" can allow.
export interface Principal {
  type: 'Root' | 'IAMUser' | 'Anonymous';
  accountId: string;
  /** arn:aws:iam::<account>:root or arn:aws:iam::<account>:user/<path><name> */
  arn: string;
  /** The unique id CloudTrail calls principalId (AIDA... for users, the account id for root). */
  principalId: string;
  userName?: string;
  accessKeyId: string;
}

/** The caller of an unsigned S3 request. Its account matches no account, so only "Principal": "*" can name it. */
export const ANONYMOUS: Principal = Object.freeze({ type: 'Anonymous', accountId: 'anonymous', arn: 'anonymous', principalId: 'anonymous', accessKeyId: '' });

export const isAnonymous = (p: Principal) => p.type === 'Anonymous';
