// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in plain TypeScript, so the gadget can sign
// its button events in XS, which has no crypto module, and the bridge can check them with the
// same code. The message schedule and the block buffer are allocated once; a hash allocates only
// its 32-byte result.

// FIPS 180-4 section 4.2.2: the first 32 bits of the fractional parts of the cube roots of the
// first 64 primes.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 section 5.3.3: the initial hash value.
const H0 = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** The message schedule, shared: compression is synchronous, so one is enough for every hasher. */
const W = new Uint32Array(64);

const BLOCK = 64;

/** An incremental SHA-256: update() any number of times, then digest(). */
export class Sha256 {
  readonly #h = new Uint32Array(8);
  readonly #block = new Uint8Array(BLOCK);
  #fill = 0;
  /** Bytes hashed so far; exact up to 2^53, far beyond anything the gadget hashes. */
  #length = 0;

  constructor() {
    this.reset();
  }

  reset(): this {
    this.#h.set(H0);
    this.#fill = 0;
    this.#length = 0;
    return this;
  }

  update(data: Uint8Array): this {
    let offset = 0;
    this.#length += data.length;
    if (this.#fill > 0) {
      const take = Math.min(BLOCK - this.#fill, data.length);
      this.#block.set(data.subarray(0, take), this.#fill);
      this.#fill += take;
      offset = take;
      if (this.#fill < BLOCK) return this;
      compress(this.#h, this.#block, 0);
      this.#fill = 0;
    }
    for (; offset + BLOCK <= data.length; offset += BLOCK) compress(this.#h, data, offset);
    if (offset < data.length) {
      this.#block.set(data.subarray(offset), 0);
      this.#fill = data.length - offset;
    }
    return this;
  }

  /** The 32-byte hash (FIPS 180-4 section 5.1.1 padding); the hasher must be reset to be reused. */
  digest(): Uint8Array {
    const block = this.#block;
    const bitsHigh = Math.floor(this.#length / 0x20000000);
    const bitsLow = (this.#length * 8) >>> 0;
    block[this.#fill++] = 0x80;
    if (this.#fill > BLOCK - 8) {
      block.fill(0, this.#fill);
      compress(this.#h, block, 0);
      this.#fill = 0;
    }
    block.fill(0, this.#fill, BLOCK - 8);
    writeU32(block, BLOCK - 8, bitsHigh);
    writeU32(block, BLOCK - 4, bitsLow);
    compress(this.#h, block, 0);
    const out = new Uint8Array(32);
    for (let i = 0; i < 8; i++) writeU32(out, i * 4, this.#h[i] as number);
    return out;
  }
}

function writeU32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = (value >>> 16) & 0xff;
  out[at + 2] = (value >>> 8) & 0xff;
  out[at + 3] = value & 0xff;
}

/** FIPS 180-4 section 6.2.2: one 64-byte block into the hash state. */
function compress(h: Uint32Array, data: Uint8Array, at: number): void {
  for (let t = 0; t < 16; t++) {
    const i = at + t * 4;
    W[t] = ((data[i] as number) << 24) | ((data[i + 1] as number) << 16) | ((data[i + 2] as number) << 8) | (data[i + 3] as number);
  }
  for (let t = 16; t < 64; t++) {
    const w15 = W[t - 15] as number;
    const w2 = W[t - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[t] = ((W[t - 16] as number) + s0 + (W[t - 7] as number) + s1) | 0;
  }
  let a = h[0] as number,
    b = h[1] as number,
    c = h[2] as number,
    d = h[3] as number;
  let e = h[4] as number,
    f = h[5] as number,
    g = h[6] as number,
    k = h[7] as number;
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (k + S1 + ch + (K[t] as number) + (W[t] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0] as number) + a;
  h[1] = (h[1] as number) + b;
  h[2] = (h[2] as number) + c;
  h[3] = (h[3] as number) + d;
  h[4] = (h[4] as number) + e;
  h[5] = (h[5] as number) + f;
  h[6] = (h[6] as number) + g;
  h[7] = (h[7] as number) + k;
}

const hasher = new Sha256();

export function sha256(bytes: Uint8Array): Uint8Array {
  return hasher.reset().update(bytes).digest();
}

const innerPad = new Uint8Array(BLOCK);
const outerPad = new Uint8Array(BLOCK);

/** RFC 2104 section 2: H(K ^ opad, H(K ^ ipad, text)), with keys longer than a block hashed first. */
export function hmacSha256(key: Uint8Array, message: Uint8Array): Uint8Array {
  const k = key.length > BLOCK ? sha256(key) : key;
  innerPad.fill(0x36);
  outerPad.fill(0x5c);
  for (let i = 0; i < k.length; i++) {
    innerPad[i] = (k[i] as number) ^ 0x36;
    outerPad[i] = (k[i] as number) ^ 0x5c;
  }
  const inner = hasher.reset().update(innerPad).update(message).digest();
  return hasher.reset().update(outerPad).update(inner).digest();
}

const HEX = "0123456789abcdef";

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    out += HEX.charAt(byte >>> 4) + HEX.charAt(byte & 15);
  }
  return out;
}

const utf8 = new TextEncoder();

/** Lowercase hex HMAC-SHA256 of UTF-8 texts: what a gadget puts in an event's `sig`. */
export function hmacHex(keyText: string, messageText: string): string {
  return toHex(hmacSha256(utf8.encode(keyText), utf8.encode(messageText)));
}

/**
 * Compare two hex signatures in time that depends only on their lengths, so a forger learns
 * nothing from how long a refusal takes (RFC 2104 section 5 leaves this to the verifier).
 */
export function equalHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
