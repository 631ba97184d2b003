// The broker's CA certificate as the gadget is given it: PEM text ("-----BEGIN CERTIFICATE-----",
// base64, "-----END CERTIFICATE-----", RFC 7468 section 2) or the same base64 on one line, which
// fits an mcconfig argument (`ca=$(openssl x509 -in ca.pem -outform der | base64 -w0)`) and an NVS
// string. Moddable's TLS (modules/crypt/ssl/ssl_cert.js, CertificateManager.register) wants the
// certificate as DER bytes, so it is decoded here, in plain code that runs in XS.

/** Decodes base64 (RFC 4648 section 4; whitespace ignored, padding optional). */
export function decodeBase64(text: string): Uint8Array | undefined {
  let clean = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    clean += text[i];
  }
  let end = clean.length;
  while (end > 0 && clean.charCodeAt(end - 1) === 0x3d) end--; // '='
  if (clean.length - end > 2 || end % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const v = sextet(clean.charCodeAt(i));
    if (v < 0) return undefined;
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  return out;
}

function sextet(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41; // A-Z
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26; // a-z
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52; // 0-9
  if (c === 0x2b) return 62; // +
  if (c === 0x2f) return 63; // /
  return -1;
}

const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";

/**
 * The DER bytes of one X.509 certificate given as PEM or bare base64, or the reason it is not one.
 * Checks the outer DER SEQUENCE (X.690 section 8.1: tag 0x30, definite length) spans every byte,
 * which catches a truncated paste or a key given instead of a certificate's base64 framing.
 */
export function decodeCertificate(text: string): { der: Uint8Array } | { reason: string } {
  let body = text.trim();
  const begin = body.indexOf(BEGIN);
  if (begin >= 0) {
    const end = body.indexOf(END, begin);
    if (end < 0) return { reason: `has "${BEGIN}" but no "${END}"` };
    body = body.slice(begin + BEGIN.length, end);
  } else if (body.indexOf("-----BEGIN") >= 0) {
    return { reason: "must be a CERTIFICATE, not another PEM block" };
  }
  const der = decodeBase64(body);
  if (der === undefined || der.length < 4) return { reason: "must be PEM or base64 of a DER certificate" };
  if (der[0] !== 0x30) return { reason: "is not a DER certificate (no SEQUENCE at the start)" };
  let length = der[1]!;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count < 1 || count > 3 || der.length < 2 + count) return { reason: "is not a DER certificate (bad length)" };
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[2 + i]!;
    header = 2 + count;
  }
  if (header + length !== der.length) return { reason: `is not one whole DER certificate (${der.length} bytes, the SEQUENCE says ${header + length})` };
  return { der };
}
