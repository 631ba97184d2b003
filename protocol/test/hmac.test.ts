// SHA-256 and HMAC-SHA256 against the published vectors and against Node's crypto.
import { createHash, createHmac } from "node:crypto";
import test from "ava";
import fc from "fast-check";
import { equalHex, hmacHex, hmacSha256, Sha256, sha256, toHex } from "@shipgate/protocol";
import { HMAC_VECTORS, hexToBytes, SHA256_MILLION_A, SHA256_VECTORS } from "./vectors";

for (const [name, message, digest] of SHA256_VECTORS) {
  test(`SHA-256 FIPS 180-4 vector: ${name}`, (t) => {
    t.is(toHex(sha256(hexToBytes(message))), digest);
  });
}

test("SHA-256 of one million 'a', fed in uneven pieces", (t) => {
  const hasher = new Sha256();
  const piece = new Uint8Array(997).fill(0x61);
  let left = 1_000_000;
  while (left > 0) {
    const n = Math.min(left, piece.length);
    hasher.update(piece.subarray(0, n));
    left -= n;
  }
  t.is(toHex(hasher.digest()), SHA256_MILLION_A);
  t.is(toHex(sha256(new Uint8Array(1_000_000).fill(0x61))), SHA256_MILLION_A);
});

for (const [name, key, data, mac] of HMAC_VECTORS) {
  test(`HMAC-SHA256 ${name}`, (t) => {
    t.is(toHex(hmacSha256(hexToBytes(key), hexToBytes(data))).slice(0, mac.length), mac);
  });
}

test("SHA-256 matches Node's crypto on random inputs, in one piece or many", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 5 }), (bytes, cuts) => {
      const expected = createHash("sha256").update(bytes).digest("hex");
      if (toHex(sha256(bytes)) !== expected) return false;
      const hasher = new Sha256();
      let at = 0;
      for (const cut of [...cuts].sort((a, b) => a - b)) {
        const end = Math.min(cut, bytes.length);
        if (end < at) continue;
        hasher.update(bytes.subarray(at, end));
        at = end;
      }
      hasher.update(bytes.subarray(at));
      return toHex(hasher.digest()) === expected;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

test("HMAC-SHA256 matches Node's crypto for random keys (shorter and longer than a block) and messages", (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), (key, message) => {
      return toHex(hmacSha256(key, message)) === createHmac("sha256", key).update(message).digest("hex");
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.string({ unit: "binary-ascii" }), fc.string({ unit: "grapheme", maxLength: 80 }), (key, text) => {
      return hmacHex(key, text) === createHmac("sha256", Buffer.from(key, "utf8")).update(text, "utf8").digest("hex");
    }),
    { numRuns: 1000 },
  );
  t.pass();
});

test("equalHex is true only for identical strings", (t) => {
  const sig = hmacHex("secret", "shipgate-event-v1|desk-1|1|2|approve|short|");
  t.true(equalHex(sig, sig.slice()));
  t.false(equalHex(sig, sig.slice(0, 63)));
  t.false(equalHex(sig, sig.slice(0, 63) + (sig.endsWith("0") ? "1" : "0")));
  t.false(equalHex(sig, sig.toUpperCase()));
  t.true(equalHex("", ""));
  fc.assert(
    fc.property(fc.string(), fc.string(), (a, b) => equalHex(a, b) === (a === b)),
    { numRuns: 2000 },
  );
});

test("a hasher is reusable after reset, and sha256() leaves no state behind", (t) => {
  const hasher = new Sha256().update(new Uint8Array([1, 2, 3]));
  hasher.digest();
  t.is(toHex(hasher.reset().update(new Uint8Array(0)).digest()), SHA256_VECTORS[0]![2]);
  const first = toHex(sha256(new Uint8Array([9])));
  sha256(new Uint8Array(100));
  t.is(toHex(sha256(new Uint8Array([9]))), first);
});
