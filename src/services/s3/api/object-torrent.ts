// GetObjectTorrent (GET /bucket/key?torrent): Keyhold serves no BitTorrent files, but the request is answered in
// S3's order: permission and the object's existence first (NoSuchKey, NoSuchVersion, a delete marker, a wrong
// SSE-C key), as for any read, and only then NotImplemented. A client probing a missing object learns it is
// missing, as from S3.
import { S3 } from '../errors.js';
import type { S3Handler } from '../request.js';
import { readableVersion } from './get-object.js';

export const getObjectTorrent: S3Handler = async (deps, req) => {
  await readableVersion(deps, req, req.query.has('versionId') ? ['s3:GetObjectVersionTorrent'] : ['s3:GetObjectTorrent']);
  throw S3.NotImplemented('GetObjectTorrent is not supported by this Keyhold version: it serves no BitTorrent files.');
};
