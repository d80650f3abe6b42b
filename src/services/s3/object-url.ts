// An object's URL as the client addressed its bucket (virtual-hosted or path-style), each key segment
// percent-encoded: the Location of a POST upload's answer and of CompleteMultipartUpload's (AWS's recording:
// "<bucket-url>/test-unicode_%E2%80%94_file", localstack test_multipart_with_unicode_character_location).
export function objectUrl(at: { secure: boolean; host: string | undefined; virtualHosted: boolean }, bucket: string, key: string): string {
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${at.secure ? 'https' : 'http'}://${at.host ?? 'localhost'}${at.virtualHosted ? '' : `/${encodeURIComponent(bucket)}`}/${path}`;
}
