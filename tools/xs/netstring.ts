// Netstrings (https://cr.yp.to/proto/netstrings.txt): "<decimal length>:<bytes>,". xsnap-worker
// reads and writes its messages this way on fds 3 and 4 (xsnap-worker.c, fxReadNetString and
// fxWriteNetString).

export function encodeNetstring(parts: readonly Uint8Array[]): Buffer {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  return Buffer.concat([Buffer.from(length + ":"), ...parts, Buffer.from(",")]);
}

/** Collects chunks from a stream and hands out whole messages as they complete. */
export class NetstringReader {
  #buffer: Buffer = Buffer.alloc(0);
  readonly #maxLength: number;

  constructor(maxLength = 64 * 1024 * 1024) {
    this.#maxLength = maxLength;
  }

  /** Add bytes; return every message now complete. Throws on a malformed stream. */
  push(chunk: Uint8Array): Buffer[] {
    this.#buffer = this.#buffer.byteLength === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const messages: Buffer[] = [];
    for (;;) {
      const colon = this.#buffer.indexOf(0x3a);
      if (colon < 0) {
        if (this.#buffer.byteLength > 20) throw new Error("netstring: no ':' within 20 bytes of the length prefix");
        break;
      }
      const prefix = this.#buffer.subarray(0, colon).toString("latin1");
      if (!/^\d{1,20}$/.test(prefix)) throw new Error(`netstring: bad length prefix "${prefix}"`);
      const length = Number(prefix);
      if (length > this.#maxLength) throw new Error(`netstring: message of ${length} bytes exceeds ${this.#maxLength}`);
      const end = colon + 1 + length;
      if (this.#buffer.byteLength < end + 1) break;
      if (this.#buffer[end] !== 0x2c) throw new Error("netstring: message not followed by ','");
      messages.push(Buffer.from(this.#buffer.subarray(colon + 1, end)));
      this.#buffer = this.#buffer.subarray(end + 1);
    }
    return messages;
  }
}
