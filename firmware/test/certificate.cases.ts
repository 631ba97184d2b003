// The broker's CA certificate as the gadget reads it (core/certificate.ts) and the "ca"/"sntp"
// config keys: portable cases, run on Node and in XS 13.3 (certificate.test.ts).

import { decodeBase64, decodeCertificate } from "../core/certificate";
import { loadConfig } from "../core/config";

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** A throwaway self-signed P-256 certificate (public part only), made with openssl for this test. */
export const FIXTURE_PEM =
  "-----BEGIN CERTIFICATE-----\n" +
  "MIIBkjCCATegAwIBAgIUIGeQ5fGk6Y1sXXExX7rJ5gpVptEwCgYIKoZIzj0EAwIw\n" +
  "HjEcMBoGA1UEAwwTc2hpcGdhdGUgZml4dHVyZSBDQTAeFw0yNjExMjIwMDU5MTZa\n" +
  "Fw0zNjExMTkwMDU5MTZaMB4xHDAaBgNVBAMME3NoaXBnYXRlIGZpeHR1cmUgQ0Ew\n" +
  "WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASomOGqttTMlM++59M4mjqLU2mg6ASz\n" +
  "8an/QHOsqstX+yhZqJuGY7gRlUvW/iKr7vr1mmfWBTECy4SM+6xfBnxeo1MwUTAd\n" +
  "BgNVHQ4EFgQU26GWCgRmrLwZgvA1UHszWXzqZMAwHwYDVR0jBBgwFoAU26GWCgRm\n" +
  "rLwZgvA1UHszWXzqZMAwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBG\n" +
  "AiEAgbbIVKpJXMeCANMrCUWHk2oxSQGOYXi5Z/xVuo5vLlICIQDPs0iHdMQ4oRl4\n" +
  "XkaXlpS1ZRSrhDFBgEglHrwiR7CYtw==\n" +
  "-----END CERTIFICATE-----\n";

/** The same certificate's DER as one base64 line (`openssl x509 -outform der | base64 -w0`). */
export const FIXTURE_BASE64 =
  "MIIBkjCCATegAwIBAgIUIGeQ5fGk6Y1sXXExX7rJ5gpVptEwCgYIKoZIzj0EAwIwHjEcMBoGA1UEAwwTc2hpcGdhdGUgZml4dHVyZSBDQTAeFw0yNjExMjIwMDU5MTZaFw0zNjExMTkwMDU5MTZaMB4xHDAaBgNVBAMME3NoaXBnYXRlIGZpeHR1cmUgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASomOGqttTMlM++59M4mjqLU2mg6ASz8an/QHOsqstX+yhZqJuGY7gRlUvW/iKr7vr1mmfWBTECy4SM+6xfBnxeo1MwUTAdBgNVHQ4EFgQU26GWCgRmrLwZgvA1UHszWXzqZMAwHwYDVR0jBBgwFoAU26GWCgRmrLwZgvA1UHszWXzqZMAwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAgbbIVKpJXMeCANMrCUWHk2oxSQGOYXi5Z/xVuo5vLlICIQDPs0iHdMQ4oRl4XkaXlpS1ZRSrhDFBgEglHrwiR7CYtw==";

function hex(bytes: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let i = from; i < to; i++) s += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
  return s;
}

export default {
  "base64 per RFC 4648: padding, no padding, whitespace, bad characters": () => {
    const text = (b: Uint8Array | undefined) => (b === undefined ? null : String.fromCharCode.apply(null, Array.from(b)));
    const out = [decodeBase64("Zm9vYmFy"), decodeBase64("Zm9vYg=="), decodeBase64("Zm9vYg"), decodeBase64(" Zm9v\nYmE= "), decodeBase64("Zm9v!"), decodeBase64("Z")].map(text);
    same(out, ["foobar", "foob", "foob", "fooba", null, null], "decoded");
    return out;
  },
  "a PEM certificate and its base64 line give the same DER": () => {
    const a = decodeCertificate(FIXTURE_PEM);
    const b = decodeCertificate(FIXTURE_BASE64);
    if (!("der" in a) || !("der" in b)) throw new Error(`not decoded: ${JSON.stringify([a, b])}`);
    same(a.der.length, 406, "DER length (openssl says 406)");
    same(hex(a.der, 0, a.der.length), hex(b.der, 0, b.der.length), "same bytes");
    return { length: a.der.length, head: hex(a.der, 0, 4), tail: hex(a.der, a.der.length - 4, a.der.length) };
  },
  "truncated, wrong block and garbage are refused with a reason": () => {
    const reasons = [
      decodeCertificate(FIXTURE_BASE64.slice(0, 200)),
      decodeCertificate("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"),
      decodeCertificate("-----BEGIN CERTIFICATE-----\n" + FIXTURE_BASE64),
      decodeCertificate("hello world"),
    ].map((r) => ("reason" in r ? r.reason : "decoded"));
    same(reasons.indexOf("decoded"), -1, "none decoded");
    return reasons;
  },
  "ca and sntp come from config or settings; a bad ca is one problem and no ca": () => {
    const fromConfig = loadConfig({ broker: "mqtts://bridge.local:8883", gadget: "desk-1", ca: FIXTURE_BASE64, sntp: "ntp.example.org" });
    same([fromConfig.config.ca?.length, fromConfig.config.sntp, fromConfig.problems.length], [406, "ntp.example.org", 0], "from config");
    const settings = { get: (k: string) => (k === "ca" ? FIXTURE_PEM : undefined) };
    const fromSettings = loadConfig({ broker: "mqtts://bridge.local:8883", gadget: "desk-1" }, settings);
    same(fromSettings.config.ca?.length, 406, "PEM from the ca setting");
    const bad = loadConfig({ broker: "mqtts://bridge.local:8883", gadget: "desk-1", ca: "not a certificate", sntp: "bad host!" });
    same([bad.config.ca, bad.problems.map((p) => p.key), bad.ready], [undefined, ["ca", "sntp"], true], "bad ca");
    return bad.problems;
  },
};
