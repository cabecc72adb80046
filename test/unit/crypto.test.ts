import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/crypto.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips credentials and never stores them in clear', () => {
    const credentials = { token: 'pat-na1-secret-value', nested: { refreshToken: 'r1' } };
    const sealed = box.seal(credentials);
    expect(sealed).not.toContain('pat-na1');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(box.open(sealed)).toEqual(credentials);
    expect(box.seal(credentials)).not.toBe(sealed); // a fresh IV each time
  });

  it('refuses tampered ciphertext and a different key with a clear message', () => {
    const sealed = box.seal({ a: 1 });
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow(/cannot be decrypted/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed)).toThrow(/SECRET_KEY differs/);
    expect(() => box.open('plain')).toThrow(/v1 sealed format/);
  });
});
