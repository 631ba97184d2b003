// The `dashboard` section of the bridge's config (optional): a title for the page and a cap on
// live connections. Checked at start; a bad key names the file, the key and the reason.

import { type Checked, Fields, object } from "@shipgate/protocol";
import { unknownKey } from "../config";

export interface DashboardSettings {
  /** Shown in the page's header and title, e.g. the team's name. */
  title: string;
  /** Most live (Server-Sent Events) connections at once; more are answered 503. */
  maxStreams: number;
}

export const DASHBOARD_DEFAULTS: Readonly<DashboardSettings> = Object.freeze({
  title: "shipgate",
  // A desk gadget's companion page: a team's screens and laptops, not a public site.
  maxStreams: 64,
});

const KNOWN = ["title", "max_streams"];

export function checkDashboardSection(value: unknown, at: string): Checked<DashboardSettings> {
  if (value === undefined || value === null) return { ok: true, value: DASHBOARD_DEFAULTS };
  const f = object(value, at);
  if (!(f instanceof Fields)) return f;
  const unknown = unknownKey(value, at, KNOWN);
  if (unknown) return unknown;
  const title = f.optionalString("title", { min: 1, max: 60 }) ?? DASHBOARD_DEFAULTS.title;
  const maxStreams = f.optionalInteger("max_streams", 1, 10_000) ?? DASHBOARD_DEFAULTS.maxStreams;
  return f.done(() => ({ title, maxStreams }));
}
