// One row of the audit log as the API, the export and `shipgate audit` give it.

export interface AuditRow {
  id: number;
  /** ISO-8601 UTC. */
  at: string;
  /** Who: `gadget:<id>`, `user:<name>`, `mode:released`, `argocd`... */
  actor: string;
  action: string;
  /** The lock, app, user or topic it concerns. */
  subject: string;
  detail: Record<string, unknown> | null;
}
