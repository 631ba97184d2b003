// Bytes to checked messages and back: the size limit comes before parsing; bad UTF-8, bad JSON and
// empty payloads get their own answers.
import test from "ava";
import { checkLockRequest, decode, encode, encodeBytes, LOCK_REQUEST_MAX_BYTES, parseJson } from "@shipgate/protocol";
import { LOCK_ID } from "./fixtures";

const request = { id: LOCK_ID, pipeline: "api", step: "deploy-prod", summary: "v1.4.2 by alice", timeout_s: 1800 };

test("decode accepts a payload as bytes, ArrayBuffer or string", (t) => {
  const bytes = encodeBytes(request);
  const buffer = new Uint8Array(bytes).buffer;
  for (const payload of [bytes, buffer, encode(request), Buffer.from(bytes)]) {
    t.deepEqual(decode(payload, LOCK_REQUEST_MAX_BYTES, checkLockRequest), { ok: true, value: request });
  }
});

test("the size limit is checked on the raw bytes, before parsing", (t) => {
  // Not JSON at all, so only a size check can have produced this answer.
  const oversized = new Uint8Array(LOCK_REQUEST_MAX_BYTES + 1).fill(0xff);
  t.deepEqual(parseJson(oversized, LOCK_REQUEST_MAX_BYTES), {
    ok: false,
    field: "",
    error: `is ${LOCK_REQUEST_MAX_BYTES + 1} bytes, more than the limit of ${LOCK_REQUEST_MAX_BYTES}`,
  });
  // Exactly at the limit is allowed.
  const padded = JSON.stringify({ ...request, summary: "" });
  const atLimit = padded.slice(0, -1) + " ".repeat(LOCK_REQUEST_MAX_BYTES - padded.length) + "}";
  t.is(Buffer.byteLength(atLimit), LOCK_REQUEST_MAX_BYTES);
  t.true(decode(atLimit, LOCK_REQUEST_MAX_BYTES, checkLockRequest).ok);
});

test("a string payload is measured in UTF-8 bytes, not characters", (t) => {
  const text = JSON.stringify("é".repeat(10)); // 12 characters, 22 bytes
  t.true(parseJson(text, 22).ok);
  t.deepEqual(parseJson(text, 21), { ok: false, field: "", error: "is 22 bytes, more than the limit of 21" });
});

test("empty, bad UTF-8 and bad JSON each get their own answer", (t) => {
  t.deepEqual(parseJson(new Uint8Array(0), 100), { ok: false, field: "", error: "is empty" });
  t.deepEqual(parseJson("", 100), { ok: false, field: "", error: "is empty" });
  for (const bytes of [
    [0x7b, 0xff, 0x7d],
    [0x22, 0xc3, 0x22],
    [0x22, 0xed, 0xa0, 0x80, 0x22],
    [0xc0, 0xaf],
  ]) {
    t.deepEqual(parseJson(new Uint8Array(bytes), 100), { ok: false, field: "", error: "is not valid UTF-8" }, String(bytes));
  }
  for (const text of ["{", "{'id': 1}", "undefined", "NaN", '{"a":1,}', "  ", "1 2", "\u0000"]) {
    t.deepEqual(parseJson(text, 100), { ok: false, field: "", error: "is not valid JSON" }, JSON.stringify(text));
  }
});

test("valid JSON that is no object is refused by the checker at the root", (t) => {
  for (const text of ["null", "[]", "42", '"x"', "true"]) {
    t.deepEqual(decode(text, 100, checkLockRequest), { ok: false, field: "", error: "must be a JSON object" }, text);
  }
});

test("a field error from decode carries the field path", (t) => {
  t.deepEqual(decode(JSON.stringify({ ...request, timeout_s: -5 }), LOCK_REQUEST_MAX_BYTES, checkLockRequest), {
    ok: false,
    field: "timeout_s",
    error: "must be between 1 and 604800",
  });
});

test("a byte-order mark and surrounding whitespace are tolerated", (t) => {
  const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(` ${JSON.stringify(request)}\n`)]);
  t.deepEqual(decode(withBom, LOCK_REQUEST_MAX_BYTES, checkLockRequest), { ok: true, value: request });
});

test("encodeBytes gives UTF-8 of encode(), and lone surrogates are escaped, not mangled", (t) => {
  const message = { text: "ünïcödé ✓ 🚀", lone: "\ud800" };
  const text = encode(message);
  t.is(Buffer.from(encodeBytes(message)).toString("utf8"), text);
  t.true(text.includes("\\ud800"));
  t.deepEqual(parseJson(encodeBytes(message), 1000), { ok: true, value: message });
});
