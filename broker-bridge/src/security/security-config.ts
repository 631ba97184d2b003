// The `security` section: rate limits on lock requests and gadget events (per client id), and how
// long a dashboard session lasts. Every key is optional; see docs/security.md.

import type { Checked } from "@shipgate/protocol";
import type { z } from "zod";
import { type ConfigSection, checkWith, duration, integer, optional, section, settings } from "../config-schema";

export const SECURITY_DEFAULTS = Object.freeze({
  lockRequests: Object.freeze({ perMinute: 60, burst: 20 }),
  events: Object.freeze({ perMinute: 120, burst: 30 }),
  sessionTtlMs: 12 * 3600_000,
});

const rate = () => integer(1, 1_000_000);
const d = SECURITY_DEFAULTS;

export const securitySchema = section(
  settings({
    lock_requests_per_minute: optional(rate(), d.lockRequests.perMinute, { type: "integer 1..1000000", description: "lock requests one client may send per minute (a token bucket)" }),
    lock_request_burst: optional(rate(), d.lockRequests.burst, { type: "integer 1..1000000", description: "lock requests one client may send at once" }),
    events_per_minute: optional(rate(), d.events.perMinute, { type: "integer 1..1000000", description: "gadget events one client may send per minute" }),
    event_burst: optional(rate(), d.events.burst, { type: "integer 1..1000000", description: "gadget events one client may send at once" }),
    session_ttl: optional(duration(60_000, 'must be a duration of at least a minute, such as "12h"'), d.sessionTtlMs, {
      type: "duration",
      description: "how long a dashboard session lasts after login (at least a minute)",
    }),
  }),
).transform((s) => ({
  lockRequests: { perMinute: s.lock_requests_per_minute, burst: s.lock_request_burst },
  events: { perMinute: s.events_per_minute, burst: s.event_burst },
  sessionTtlMs: s.session_ttl,
}));

export type SecuritySettings = z.output<typeof securitySchema>;

export const SECURITY_SECTION: ConfigSection = { key: "security", document: "[security.md](security.md): rate limits, dashboard sessions", schema: securitySchema };

export function checkSecuritySection(value: unknown, at: string): Checked<SecuritySettings> {
  return checkWith(securitySchema, value, at);
}
