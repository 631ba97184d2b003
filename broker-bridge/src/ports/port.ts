// A port is what one service offers another: a small typed interface under a name. A service
// declares the ports it offers and needs (service.ts); wiring.ts matches them, derives the start
// order from the needs and hands each service only what it declared. No service looks another up.

export interface Port<T> {
  readonly name: string;
  /** Carries T for the type checker only; never set. */
  readonly type?: T;
}

export function port<T>(name: string): Port<T> {
  return Object.freeze({ name });
}

/** A need a service can run without (the providing service may not be in the list). */
export interface OptionalNeed<T> {
  readonly port: Port<T>;
  readonly optional: true;
}

export type Need = Port<unknown> | OptionalNeed<unknown>;

export function optional<T>(p: Port<T>): OptionalNeed<T> {
  return { port: p, optional: true };
}

/** What a service sees of the wiring while it starts. */
export interface PortAccess {
  /** A port this service declared in `needs`; its provider started before. */
  need<T>(port: Port<T>): T;
  /** A port this service declared with optional(); undefined when no running service offers it. */
  want<T>(port: Port<T>): T | undefined;
  /** Hands over a port this service declared in `offers`. */
  offer<T>(port: Port<T>, value: T): void;
}
