// Who is calling: the account root user or an IAM user, resolved from the access key by SigV4.
export interface Principal {
  type: 'Root' | 'IAMUser';
  accountId: string;
  /** arn:aws:iam::<account>:root or arn:aws:iam::<account>:user/<path><name> */
  arn: string;
  /** The unique id CloudTrail calls principalId (AIDA... for users, the account id for root). */
  principalId: string;
  userName?: string;
  accessKeyId: string;
}
