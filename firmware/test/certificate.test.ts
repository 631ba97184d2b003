// Runs certificate.cases.ts on Node and in XS 13.3, and checks the decoded DER against Node's own
// X.509 parser.
import { X509Certificate } from "node:crypto";
import test from "ava";
import { registerXsAndNodeTests } from "../../tools/xs/cases";
import { decodeCertificate } from "../core/certificate";
import { FIXTURE_BASE64, FIXTURE_PEM } from "./certificate.cases";

await registerXsAndNodeTests(test, new URL("./certificate.cases.ts", import.meta.url));

test("the DER decoded on the gadget is the certificate Node's X.509 parser reads", (t) => {
  const decoded = decodeCertificate(FIXTURE_PEM);
  if (!("der" in decoded)) return t.fail(decoded.reason);
  const x509 = new X509Certificate(FIXTURE_PEM);
  t.deepEqual(Buffer.from(decoded.der), x509.raw);
  t.is(Buffer.from(FIXTURE_BASE64, "base64").compare(x509.raw), 0);
  t.is(x509.subject, "CN=shipgate fixture CA");
});
