// Who may decide which lock, and how many distinct approvals it needs (the two-person rule).
// Deciders are named "gadget:<id>" or "user:<name>"; config entries may omit the prefix, in which
// case they match a gadget or a user of that name.

import type { GadgetConfig, GateRule } from "../config";
import { globToRegExp } from "./glob";

export interface Decider {
  kind: "gadget" | "user";
  name: string;
  /** Admins decide any lock (they still count as one person towards the approvals). */
  admin: boolean;
}

export function deciderLabel(d: Decider): string {
  return `${d.kind}:${d.name}`;
}

interface CompiledRule {
  rule: GateRule;
  pipeline: RegExp;
  step: RegExp;
}

export class GatePolicy {
  readonly #rules: CompiledRule[];
  readonly #gadgets: Map<string, { pipelines: RegExp[] }>;

  constructor(rules: readonly GateRule[], gadgets: readonly GadgetConfig[]) {
    this.#rules = rules.map((rule) => ({ rule, pipeline: globToRegExp(rule.pipeline), step: globToRegExp(rule.step) }));
    this.#gadgets = new Map(gadgets.map((g) => [g.id, { pipelines: g.pipelines.map(globToRegExp) }]));
  }

  ruleFor(pipeline: string, step: string): GateRule | undefined {
    return this.#rules.find((r) => r.pipeline.test(pipeline) && r.step.test(step))?.rule;
  }

  /** Whether the matching rule asks for a physical press (`require_gadget: true`). */
  requiresGadget(pipeline: string, step: string): boolean {
    return this.ruleFor(pipeline, step)?.require_gadget === true;
  }

  approvalsNeeded(pipeline: string, step: string): number {
    return this.ruleFor(pipeline, step)?.approvals ?? 1;
  }

  /** Why this decider may not decide this lock, or null when it may. */
  refusal(decider: Decider, pipeline: string, step: string): string | null {
    if (decider.admin) return null;
    if (decider.kind === "gadget") {
      const own = this.#gadgets.get(decider.name);
      if (own && own.pipelines.length > 0 && !own.pipelines.some((p) => p.test(pipeline))) {
        return `gadget ${decider.name} may not decide pipeline ${pipeline}`;
      }
    }
    const rule = this.ruleFor(pipeline, step);
    if (rule && rule.deciders.length > 0 && !rule.deciders.some((entry) => namesDecider(entry, decider))) {
      return `${deciderLabel(decider)} is not among the deciders for ${pipeline}/${step}`;
    }
    return null;
  }

  /** The configured gadgets that could decide this lock (for the "nobody online" reason). */
  candidateGadgets(pipeline: string, step: string): string[] {
    const out: string[] = [];
    for (const id of this.#gadgets.keys()) {
      if (this.refusal({ kind: "gadget", name: id, admin: false }, pipeline, step) === null) out.push(id);
    }
    return out;
  }

  get configuredGadgets(): string[] {
    return [...this.#gadgets.keys()];
  }
}

function namesDecider(entry: string, d: Decider): boolean {
  const colon = entry.indexOf(":");
  if (colon < 0) return entry === d.name;
  return entry.slice(0, colon) === d.kind && entry.slice(colon + 1) === d.name;
}
