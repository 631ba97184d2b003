// Deterministic protocol cases that run on Node and inside XS (tools/xs); protocol-xs.test.ts
// asserts both engines give equal results. Nothing here may use Node APIs.
import {
  checkGadgetEvent,
  checkGadgetView,
  checkLockRequest,
  decode,
  encode,
  encodeBytes,
  errorReplyFor,
  eventSigningText,
  GADGET_VIEW_MAX_BYTES,
  hmacHex,
  hmacSha256,
  LOCK_REQUEST_MAX_BYTES,
  parseJson,
  prefixProblem,
  sha256,
  toHex,
  Topics,
  equalHex,
} from "@shipgate/protocol";
import { LOCK_ID, MESSAGES } from "./fixtures";
import { HMAC_VECTORS, hexToBytes, SHA256_VECTORS } from "./vectors";

const VIEW = MESSAGES.find((m) => m.name === "GadgetView")!.examples[0]!;
const VIEW_BYTES = encodeBytes(VIEW);

export default {
  "checkers accept every example unchanged": () => MESSAGES.map((kind) => kind.examples.map((example) => kind.check(JSON.parse(JSON.stringify(example))))),
  "checkers refuse broken payloads with path and reason": () =>
    MESSAGES.map((kind) => {
      const first = kind.examples[0]!;
      const out: unknown[] = [kind.check(null), kind.check([]), kind.check("x")];
      for (const field of kind.required) {
        const dropped: Record<string, unknown> = { ...first };
        delete dropped[field];
        out.push(kind.check(dropped), kind.check({ ...first, [field]: { nested: true } }), kind.check({ ...first, [field]: "x".repeat(600) }));
      }
      return out;
    }),
  "nested paths in a gadget view": () => [
    checkGadgetView({ ...VIEW, rings: [{ scene: "idle" }, { scene: "idle", segments: [{ start: 0, count: 1, scene: "x" }] }] }),
    checkGadgetView({ ...VIEW, head: { id: "nope", pipeline: "a", step: "b", summary: "" } }),
    checkGadgetView({ ...VIEW, display: { kind: "text", text: "bell\u0007" } }),
  ],
  "topics build and parse": () => {
    const results: unknown[] = [];
    for (const prefix of ["shipgate/v1/", "acme/ops/"]) {
      const topics = new Topics(prefix);
      const built = [
        topics.lockRequest(),
        topics.lockState(LOCK_ID),
        topics.lockCancel(LOCK_ID),
        topics.mode(),
        topics.errors("gate-1"),
        topics.adminCommand("alice", "decide"),
        topics.reply("alice", "c-1"),
        topics.gadgetEvent("desk-1"),
        topics.gadgetAck("desk-1"),
        topics.gadgetView("desk-1"),
        topics.gadgetStatus("desk-1"),
        topics.gadgetTelemetry("desk-1"),
        topics.presence("node.2"),
        topics.bridgeStatus(),
        prefix + "locks/+",
        prefix + "gadgets/+/event",
        prefix + "errors/#",
        prefix + "locks/abc",
        "elsewhere/mode",
      ];
      for (const topic of built) results.push([topic, topics.parse(topic)]);
    }
    return results;
  },
  "prefix problems": () => ["shipgate/v1/", "", "a", "/a/", "$SYS/", "a/+/", "a/#/", "a//b/", "x".repeat(101)].map((p) => [p, prefixProblem(p) ?? null]),
  "decode bytes: valid, oversized, empty, bad UTF-8, bad JSON, BOM": () => {
    const request = { id: LOCK_ID, pipeline: "api", step: "deploy", summary: "ünï ✓ 🚀" };
    const bytes = encodeBytes(request);
    const withBom = new Uint8Array(bytes.length + 3);
    withBom.set([0xef, 0xbb, 0xbf]);
    withBom.set(bytes, 3);
    return [
      decode(bytes, LOCK_REQUEST_MAX_BYTES, checkLockRequest),
      decode(new Uint8Array(bytes).buffer, LOCK_REQUEST_MAX_BYTES, checkLockRequest),
      decode(encode(request), LOCK_REQUEST_MAX_BYTES, checkLockRequest),
      decode(withBom, LOCK_REQUEST_MAX_BYTES, checkLockRequest),
      decode(bytes, 10, checkLockRequest),
      parseJson(new Uint8Array(LOCK_REQUEST_MAX_BYTES + 1).fill(0xff), LOCK_REQUEST_MAX_BYTES),
      parseJson(new Uint8Array(0), 10),
      parseJson(new Uint8Array([0x7b, 0xff, 0x7d]), 10),
      parseJson(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), 10),
      parseJson('{"a":', 10),
      parseJson('"é"', 3),
      decode("[1]", 10, checkLockRequest),
    ];
  },
  "encodeBytes gives the same UTF-8 bytes": () => Array.from(encodeBytes({ t: "ünï ✓ 🚀", lone: "\ud800", q: '"\\' })),
  "error answers": () => {
    const bad = checkLockRequest({ id: LOCK_ID, pipeline: "", step: "s" });
    return bad.ok ? null : [errorReplyFor("shipgate/v1/locks/request", bad), errorReplyFor("t", { ok: false, field: "", error: "is empty" }, "x")];
  },
  "SHA-256 FIPS 180-4 vectors": () => SHA256_VECTORS.map(([, message]) => toHex(sha256(hexToBytes(message)))),
  "HMAC-SHA256 RFC 4231 vectors": () => HMAC_VECTORS.map(([, key, data]) => toHex(hmacSha256(hexToBytes(key), hexToBytes(data)))),
  "SHA-256 of 100 KB": () => {
    const data = new Uint8Array(100_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    return toHex(sha256(data));
  },
  "sign and verify a gadget event": () => {
    const event = checkGadgetEvent({ button: "approve", gesture: "short", boot: 41, seq: 7, lock_id: LOCK_ID });
    if (!event.ok) return event;
    const sig = hmacHex("desk secret ✓", eventSigningText("desk-1", event.value));
    return [sig, equalHex(sig, hmacHex("desk secret ✓", eventSigningText("desk-1", event.value))), equalHex(sig, hmacHex("other", "x"))];
  },
  // The gadget's per-message path: what one retained view costs to parse and check.
  "decode one gadget view": () => {
    const result = decode(VIEW_BYTES, GADGET_VIEW_MAX_BYTES, checkGadgetView);
    return result.ok ? result.value.rings.length : result;
  },
};
