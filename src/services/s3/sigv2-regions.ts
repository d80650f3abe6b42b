// Where S3 still takes Signature Version 2: only in the Regions that existed before 30 January 2014 (S3 API
// reference, "Signing and authenticating REST requests": US East (N. Virginia), US West (N. California), US West
// (Oregon), Europe (Ireland), Asia Pacific (Singapore, Sydney, Tokyo), South America (São Paulo), and
// AWS GovCloud (US-West)). In every later Region S3 answers a SigV2 request with 400 InvalidRequest, which
// botocore's integration tests expect for a bucket in eu-central-1. A Region named outside AWS's scheme (a
// self-hosted name such as "home" or "localhost") is not an AWS Region, so nothing here refuses it.
import { S3 } from './errors.js';

const SIGV2_REGIONS = new Set([
  'us-east-1',
  'us-west-1',
  'us-west-2',
  'eu-west-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'sa-east-1',
  'us-gov-west-1',
]);

// AWS's Region names: partition prefix, geography, number (us-east-2, eu-central-1, us-gov-east-1, us-iso-east-1).
const AWS_REGION_NAME = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

/** Throws S3's refusal of a SigV2-signed request acting in a Region that takes only SigV4. */
export function refuseSigV2Region(region: string): void {
  if (SIGV2_REGIONS.has(region) || !AWS_REGION_NAME.test(region)) return;
  throw S3.InvalidRequest('The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
}
