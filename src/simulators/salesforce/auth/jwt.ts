/**
 * RS256 JWT bearer assertions (RFC 7523), as Salesforce's OAuth JWT bearer flow checks them:
 * signature by the connected app's certificate, iss = consumer key, sub = username,
 * aud = login URL, exp in the future.
 */
import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';

export interface JwtKeyPair {
  publicKey: string;
  privateKey: string;
}

export function generateJwtKeyPair(): JwtKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export interface JwtClaims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
}

const base64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

/** Signs an assertion; for demos and scripts (tests sign their own to prove interoperability). */
export function signJwtAssertion(privateKey: string, claims: { iss: string; sub: string; aud: string; exp: number }): string {
  const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

/** Returns the claims when the signature is valid, else a reason. */
export function verifyJwtAssertion(assertion: string, publicKey: string): { claims: JwtClaims } | { reason: string } {
  const parts = assertion.split('.');
  if (parts.length !== 3) return { reason: 'invalid assertion' };
  const [header, payload, signature] = parts as [string, string, string];
  let headerJson: unknown;
  let claims: unknown;
  try {
    headerJson = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { reason: 'invalid assertion' };
  }
  if (typeof headerJson !== 'object' || headerJson === null || (headerJson as { alg?: unknown }).alg !== 'RS256') {
    return { reason: 'invalid assertion: alg must be RS256' };
  }
  const valid = createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(publicKey, Buffer.from(signature, 'base64url'));
  if (!valid) return { reason: 'invalid assertion: signature' };
  if (typeof claims !== 'object' || claims === null) return { reason: 'invalid assertion' };
  return { claims: claims as JwtClaims };
}
