/**
 * Salesforce record ids: a 3-character key prefix naming the object, then 12 base62 characters,
 * then a 3-character case-safe checksum (the "18-character id"). Clients commonly compare the
 * 15-character form, so we compute a real checksum rather than padding.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export function toBase62(value: number, width: number): string {
  let out = '';
  let rest = value;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

/** The 3-character suffix that makes a 15-character id case-insensitively unique. */
export function checksumSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charCodeAt(chunk * 5 + i);
      if (ch >= 65 && ch <= 90) bits |= 1 << i;
    }
    suffix += CHECKSUM_ALPHABET[bits];
  }
  return suffix;
}

export function to18(id: string): string {
  return id.length === 15 ? id + checksumSuffix(id) : id;
}

/**
 * Hands out ids in creation order. The instance character ("5g0") imitates a pod so ids look like
 * real ones; sequential base62 keeps ids sortable by creation, which makes ORDER BY Id stable.
 */
export class IdFactory {
  private counter = 0;

  constructor(private readonly podChars = '5g0') {}

  next(prefix: string): string {
    this.counter += 1;
    const id15 = prefix + this.podChars + toBase62(this.counter, 9);
    return id15 + checksumSuffix(id15);
  }
}

export const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
