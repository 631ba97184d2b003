// docs/protocol.md's "Topics at a glance" table comes from the message descriptors
// (protocol/src/catalog.ts). `npm run docs:protocol` rewrites it; test/docs-protocol.test.ts fails
// when the committed doc and the descriptors disagree.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ALL_MESSAGES, type MessageDescriptor, topicTable } from "@shipgate/protocol";

export const PROTOCOL_DOC = fileURLToPath(new URL("../docs/protocol.md", import.meta.url));
export const BEGIN = "<!-- topics: generated from protocol/src/catalog.ts by `npm run docs:protocol`; do not edit -->";
export const END = "<!-- end of generated topics -->";

/** The doc with its generated table replaced by the descriptors' table. */
export function renderProtocolDoc(doc: string, messages: readonly MessageDescriptor[] = ALL_MESSAGES): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/protocol.md has no generated topic table (the lines ${BEGIN} and ${END})`);
  return doc.slice(0, start) + [BEGIN, ...topicTable(messages), END].join("\n") + doc.slice(end + END.length);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = readFileSync(PROTOCOL_DOC, "utf8");
  const next = renderProtocolDoc(doc);
  if (next === doc) console.log("docs/protocol.md: the topic table is up to date");
  else {
    writeFileSync(PROTOCOL_DOC, next);
    console.log("docs/protocol.md: rewrote the topic table from protocol/src/catalog.ts");
  }
}
