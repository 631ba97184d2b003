// DNS rebinding: a web page on evil.example whose name later resolves to 127.0.0.1 can read this
// server's answers unless the server checks the Host header it was asked for. Every route answers
// only to the names in `http.allowed_hosts`, by default the names and addresses it listens on
// (issue 13; RFC 9110 section 7.2 for Host, 15.5.20 for 421 Misdirected Request).

import { hostname, networkInterfaces } from "node:os";

const WILDCARD = new Set(["0.0.0.0", "::", "[::]", ""]);

export function defaultAllowedHosts(listenHost: string): string[] {
  const names = new Set(["localhost", "127.0.0.1", "::1"]);
  if (WILDCARD.has(listenHost)) {
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase());
    const host = hostname().toLowerCase();
    names.add(host);
    names.add(`${host}.local`);
  } else {
    names.add(listenHost.toLowerCase());
  }
  return [...names];
}

/** The host name in a Host header, without port or IPv6 brackets; null when malformed. */
export function hostOf(header: string | undefined): string | null {
  if (header === undefined || header === "") return null;
  const v6 = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(header);
  if (v6) return (v6[1] as string).toLowerCase();
  const m = /^([A-Za-z0-9.-]{1,253})(?::\d{1,5})?$/.exec(header);
  return m ? (m[1] as string).toLowerCase().replace(/\.$/, "") : null;
}

export function hostAllowed(header: string | undefined, allowed: ReadonlySet<string>): boolean {
  const host = hostOf(header);
  return host !== null && (allowed.has("*") || allowed.has(host));
}
