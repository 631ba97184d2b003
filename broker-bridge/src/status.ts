// The status snapshot behind `shipgate status`, /api/status and the dashboard: each service
// registers a section and answers with its current state when asked.

export type StatusSection = () => unknown;

export class StatusBoard {
  readonly #sections = new Map<string, StatusSection>();

  register(name: string, section: StatusSection): void {
    this.#sections.set(name, section);
  }

  snapshot(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, section] of this.#sections) {
      try {
        out[name] = section();
      } catch (err) {
        out[name] = { error: `status unavailable: ${(err as Error).message}` };
      }
    }
    return out;
  }
}
