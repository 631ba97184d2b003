// Times as the page shows them: "3m 12s ago", "in 2h", from ISO strings and the bridge's clock.
// Pure functions (no DOM), tested on Node.

/** "45s", "3m 12s", "2h 5m", "3d 4h". */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return m % 60 ? `${hours}h ${m % 60}m` : `${hours}h`;
  const d = Math.floor(hours / 24);
  return hours % 24 ? `${d}d ${hours % 24}h` : `${d}d`;
}

/** "12s ago" for a past time, "in 5m" for a future one; "never" for null, "?" for a bad time. */
export function relative(iso: string | null | undefined, now: number): string {
  if (iso === null || iso === undefined) return "never";
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "?";
  return at <= now ? `${formatSpan(now - at)} ago` : `in ${formatSpan(at - now)}`;
}

/** A local wall-clock time for tooltips and the audit log: "14:03:07", with the date if not today. */
export function clockTime(iso: string, now: number): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const sameDay = new Date(now).toDateString() === at.toDateString();
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  return sameDay ? time : `${at.toLocaleDateString()} ${time}`;
}

/** The bridge's clock as seen from here: its `at` minus our clock when the state arrived. */
export class ServerClock {
  #offset = 0;

  observe(serverIso: string, localNow: number): void {
    const at = Date.parse(serverIso);
    if (!Number.isNaN(at)) this.#offset = at - localNow;
  }

  now(localNow: number): number {
    return localNow + this.#offset;
  }
}
