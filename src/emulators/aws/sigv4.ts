// Parses (does not verify) AWS Signature V4: the Authorization header form and the presigned
// query form. The credential scope gives the access key, date, region and service.
export interface SigV4Scope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

const CREDENTIAL = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

export function parseCredential(credential: string): SigV4Scope | undefined {
  const m = CREDENTIAL.exec(credential.trim());
  if (!m) return undefined;
  return {
    accessKeyId: m[1] as string,
    date: m[2] as string,
    region: m[3] as string,
    service: m[4] as string,
  };
}

export function parseSigV4(
  headers: Record<string, string | string[] | undefined>,
  query: URLSearchParams,
): SigV4Scope | undefined {
  const auth = headers.authorization;
  const value = Array.isArray(auth) ? auth[0] : auth;
  if (value?.startsWith('AWS4-HMAC-SHA256')) {
    const m = /Credential=([^,\s]+)/.exec(value);
    if (m?.[1]) return parseCredential(m[1]);
  }
  const presigned = query.get('X-Amz-Credential');
  if (presigned) return parseCredential(presigned);
  return undefined;
}
