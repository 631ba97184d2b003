// Bytes to checked messages and back. The size limit is applied to the raw bytes before JSON
// parsing, so an oversized payload costs nothing to refuse. TextEncoder/TextDecoder exist on Node,
// in xsnap and (through the manifest) on the device.

import { type Checked, invalid, valid } from "./check";

// fatal: without it TextDecoder replaces bad bytes with U+FFFD and never throws, and the
// "not valid UTF-8" answer below could never be given (WHATWG Encoding, "decode", error mode).
// XS's TextDecoder honours it too (it throws "invalid utf-8").
const decoder = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

export type Payload = Uint8Array | ArrayBuffer | string;

function byteLength(payload: Payload): number {
  if (typeof payload === "string") return encoder.encode(payload).byteLength;
  return payload.byteLength;
}

function toText(payload: Payload): string {
  if (typeof payload === "string") return payload;
  return decoder.decode(payload instanceof ArrayBuffer ? new Uint8Array(payload) : payload);
}

/** Parse JSON within a byte limit; never throws. */
export function parseJson(payload: Payload, maxBytes: number): Checked<unknown> {
  const size = byteLength(payload);
  if (size > maxBytes) return invalid("", `is ${size} bytes, more than the limit of ${maxBytes}`);
  if (size === 0) return invalid("", "is empty");
  let text: string;
  try {
    text = toText(payload);
  } catch {
    return invalid("", "is not valid UTF-8");
  }
  try {
    return valid(JSON.parse(text) as unknown);
  } catch {
    return invalid("", "is not valid JSON");
  }
}

/** Parse and check in one step: what every subscriber does with an incoming payload. */
export function decode<T>(payload: Payload, maxBytes: number, check: (value: unknown, path: string) => Checked<T>): Checked<T> {
  const json = parseJson(payload, maxBytes);
  if (!json.ok) return json;
  return check(json.value, "");
}

export function encode(message: unknown): string {
  return JSON.stringify(message);
}

export function encodeBytes(message: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(message));
}
