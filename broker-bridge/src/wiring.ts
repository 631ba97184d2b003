// The one place where services meet: each declares the ports it offers and needs (service.ts);
// this module checks that every need has exactly one provider, derives the start order from the
// needs (a stable topological sort: the listed order wherever the needs allow it), and gives each
// service a PortAccess limited to what it declared.

import type { Need, OptionalNeed, Port, PortAccess } from "./ports/port";
import type { Service } from "./service";

export class WiringError extends Error {
  override readonly name = "WiringError";
}

function portOf(need: Need): Port<unknown> {
  return "optional" in need ? (need as OptionalNeed<unknown>).port : (need as Port<unknown>);
}

function isOptional(need: Need): boolean {
  return "optional" in need && (need as OptionalNeed<unknown>).optional;
}

/** The services in an order where every provider starts before the services that need it. */
export function startOrder(services: readonly Service[]): Service[] {
  const providers = new Map<string, Service>();
  for (const s of services) {
    for (const p of s.offers ?? []) {
      const other = providers.get(p.name);
      if (other !== undefined) throw new WiringError(`port "${p.name}" is offered by both ${other.name} and ${s.name}`);
      providers.set(p.name, s);
    }
  }
  const before = new Map<Service, Service[]>();
  for (const s of services) {
    const deps: Service[] = [];
    for (const need of s.needs ?? []) {
      const provider = providers.get(portOf(need).name);
      if (provider === undefined) {
        if (isOptional(need)) continue;
        throw new WiringError(`${s.name} needs port "${portOf(need).name}", and no service offers it (add the service that does)`);
      }
      if (provider !== s) deps.push(provider);
    }
    before.set(s, deps);
  }
  const order: Service[] = [];
  const state = new Map<Service, "visiting" | "done">();
  const visit = (s: Service, path: Service[]) => {
    const seen = state.get(s);
    if (seen === "done") return;
    if (seen === "visiting") {
      const loop = [...path.slice(path.indexOf(s)), s].map((x) => x.name).join(" -> ");
      throw new WiringError(`services need each other in a circle: ${loop}`);
    }
    state.set(s, "visiting");
    for (const dep of before.get(s) ?? []) visit(dep, [...path, s]);
    state.set(s, "done");
    order.push(s);
  };
  for (const s of services) visit(s, []);
  return order;
}

/** The ports offered so far, and each service's view of them. */
export class PortBoard {
  readonly #values = new Map<string, unknown>();
  readonly #offeredBy = new Map<string, string>();

  constructor(services: readonly Service[]) {
    for (const s of services) for (const p of s.offers ?? []) this.#offeredBy.set(p.name, s.name);
  }

  /** What `service` may use: its declared needs, and its declared offers to hand over. */
  accessFor(service: Service): PortAccess {
    const needs = new Map((service.needs ?? []).map((n) => [portOf(n).name, isOptional(n)]));
    const offers = new Set((service.offers ?? []).map((p) => p.name));
    const values = this.#values;
    const offeredBy = this.#offeredBy;
    const lookup = <T>(p: Port<T>, optional: boolean): T | undefined => {
      const declared = needs.get(p.name);
      if (declared === undefined) throw new WiringError(`${service.name} uses port "${p.name}" without declaring it in needs`);
      if (!declared && optional) throw new WiringError(`${service.name} declares port "${p.name}" as required; use need()`);
      if (declared && !optional) throw new WiringError(`${service.name} declares port "${p.name}" as optional; use want()`);
      if (!values.has(p.name)) {
        if (optional && !offeredBy.has(p.name)) return undefined;
        throw new WiringError(`${service.name} asked for port "${p.name}" before ${offeredBy.get(p.name) ?? "its provider"} offered it`);
      }
      return values.get(p.name) as T;
    };
    return {
      need: <T>(p: Port<T>) => lookup(p, false) as T,
      want: <T>(p: Port<T>) => lookup(p, true),
      offer: <T>(p: Port<T>, value: T) => {
        if (!offers.has(p.name)) throw new WiringError(`${service.name} offers port "${p.name}" without declaring it in offers`);
        values.set(p.name, value);
      },
    };
  }

  /** After a service started: every port it declared must be there. */
  checkOffered(service: Service): void {
    for (const p of service.offers ?? []) {
      if (!this.#values.has(p.name)) throw new WiringError(`${service.name} declares port "${p.name}" but did not offer it when it started`);
    }
  }

  get<T>(p: Port<T>): T | undefined {
    return this.#values.get(p.name) as T | undefined;
  }
}
