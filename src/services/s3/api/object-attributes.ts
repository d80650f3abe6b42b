// GetObjectAttributes (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html): the
// ETag, checksum, parts, storage class and size of an object version, the ones x-amz-object-attributes asks
// for, without its body. Read like GetObject (same version selection and SSE-C key checks) and authorized by
// both s3:GetObject and s3:GetObjectAttributes (their Version forms with a versionId), as S3 requires.
import { S3 } from '../errors.js';
import { header, type S3Handler } from '../request.js';
import { type XmlNode, xmlDocument } from '../xml.js';
import { readableVersion } from './get-object.js';
import { partChecksumElements } from './multipart-checksums.js';

const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'];

/** A non-negative integer header (paging), or `fallback` when absent; InvalidArgument when malformed. */
function intHeader(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw S3.InvalidArgument(`${name} must be a non-negative integer.`);
  return Math.min(Number(value), max);
}

export const getObjectAttributes: S3Handler = async (deps, req) => {
  const requested = (header(req, 'x-amz-object-attributes') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (requested.length === 0)
    throw S3.InvalidArgument('The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty');
  const unknown = requested.find((a) => !ATTRIBUTES.includes(a));
  if (unknown !== undefined) throw S3.InvalidArgument(`Invalid attribute name specified: ${unknown}`);
  const versioned = req.query.has('versionId');
  const { b, v } = await readableVersion(
    deps,
    req,
    versioned ? ['s3:GetObjectVersion', 's3:GetObjectVersionAttributes'] : ['s3:GetObject', 's3:GetObjectAttributes'],
  );
  const body: { [k: string]: XmlNode } = {};
  if (requested.includes('ETag')) body.ETag = v.etag;
  const composite = v.checksum?.type === 'COMPOSITE';
  if (requested.includes('Checksum') && v.checksum) {
    // A composite checksum is given without the "-<parts>" suffix GetObject and HeadObject show (AWS's recorded
    // answers, localstack test_s3.py test_complete_multipart_parts_checksum_composite).
    const value = composite ? v.checksum.value.replace(/-\d+$/, '') : v.checksum.value;
    body.Checksum = { ...partChecksumElements({ checksum: { ...v.checksum, value } }), ChecksumType: v.checksum.type ?? 'FULL_OBJECT' };
  }
  if (requested.includes('ObjectParts') && v.parts?.length) {
    const maxParts = intHeader(header(req, 'x-amz-max-parts'), 'x-amz-max-parts', 1000, 1000);
    const marker = intHeader(header(req, 'x-amz-part-number-marker'), 'x-amz-part-number-marker', 0, 10_000);
    const after = v.parts.filter((p) => p.partNumber > marker);
    const page = after.slice(0, maxParts);
    const truncated = after.length > page.length;
    // S3 lists the parts (with their checksums) only for an object whose checksum is COMPOSITE, made of theirs;
    // for a FULL_OBJECT checksum, or none, it gives the count alone (recorded from AWS by localstack).
    body.ObjectParts = composite
      ? {
          PartsCount: v.parts.length,
          PartNumberMarker: marker,
          NextPartNumberMarker: page[page.length - 1]?.partNumber ?? 0,
          MaxParts: maxParts,
          IsTruncated: truncated,
          Part: page.map((p) => ({ PartNumber: p.partNumber, Size: p.size, ...partChecksumElements(p) })),
        }
      : { PartsCount: v.parts.length };
  }
  if (requested.includes('StorageClass')) body.StorageClass = v.storageClass;
  if (requested.includes('ObjectSize')) body.ObjectSize = v.size;
  return {
    status: 200,
    headers: {
      'content-type': 'application/xml',
      'last-modified': new Date(v.lastModified).toUTCString(),
      ...(b.versioning !== 'Unversioned' ? { 'x-amz-version-id': v.versionId } : {}),
    },
    body: xmlDocument('GetObjectAttributesResponse', body),
  };
};
