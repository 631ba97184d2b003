// The `dashboard` section of the bridge's config (optional): a title for the page and a cap on
// live connections. Checked at start; a bad key names the file, the key and the reason.

import type { Checked } from "@shipgate/protocol";
import type { z } from "zod";
import { type ConfigSection, checkWith, integer, optional, section, settings, text } from "../config-schema";

export const DASHBOARD_DEFAULTS = Object.freeze({
  title: "shipgate",
  // A desk gadget's companion page: a team's screens and laptops, not a public site.
  maxStreams: 64,
});

export const dashboardSchema = section(
  settings({
    title: optional(text({ min: 1, max: 60 }), DASHBOARD_DEFAULTS.title, { type: "string", description: "shown in the page's header and title, e.g. the team's name" }),
    max_streams: optional(integer(1, 10_000), DASHBOARD_DEFAULTS.maxStreams, { type: "integer 1..10000", description: "most live (Server-Sent Events) connections at once; more are answered 503" }),
  }),
).transform((s) => ({ title: s.title, maxStreams: s.max_streams }));

export type DashboardSettings = z.output<typeof dashboardSchema>;

export const DASHBOARD_SECTION: ConfigSection = { key: "dashboard", document: "[dashboard.md](dashboard.md)", schema: dashboardSchema };

export function checkDashboardSection(value: unknown, at: string): Checked<DashboardSettings> {
  return checkWith(dashboardSchema, value, at);
}
