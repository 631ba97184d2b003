// The one table of inbound MQTT: topic filter -> message descriptor (protocol/src/catalog.ts) ->
// handlers. For each message the router classifies the topic, refuses a topic of the wrong shape,
// lets a route's guard speak first (who may send it), then limits, parses and checks the payload
// once, answering a refusal on the sender's errors topic (link/refuse.ts), and hands the checked
// value to every handler of that descriptor. Handlers never see an unchecked payload.

import { type MessageDescriptor, type ParsedTopic, type Topics, decode, isObject, parseJson } from "@shipgate/protocol";
import type { Logger } from "pino";
import type { InboundMessage, Link } from "./link";
import type { Refuse } from "./refuse";

/** The parsed topic of a descriptor's kind. */
export type TopicOf<K extends ParsedTopic["kind"]> = Extract<ParsedTopic, { kind: K }>;

export interface Delivery<T, K extends ParsedTopic["kind"]> {
  message: InboundMessage;
  topic: TopicOf<K>;
  /** The checked payload (undefined for a descriptor whose payload is not read). */
  value: T;
}

export interface RouteOptions<K extends ParsedTopic["kind"]> {
  /** The service the handler belongs to (for the table and the log). */
  owner: string;
  /** Refuse a topic of this filter that is not of the descriptor's shape with this reason
   *  (the parser's own reason for an unknown topic); without it, such a message is ignored. */
  badTopic?: string;
  /** Runs before the payload is read; false when it has refused the message itself. */
  guard?: (message: InboundMessage, topic: TopicOf<K>) => boolean;
}

interface Route {
  descriptor: MessageDescriptor<unknown>;
  owner: string;
  badTopic: string | undefined;
  guard: ((message: InboundMessage, topic: ParsedTopic) => boolean) | undefined;
  handlers: { owner: string; handle: (d: Delivery<unknown, ParsedTopic["kind"]>) => void }[];
}

export interface RouteRow {
  filter: string;
  message: string;
  owners: string[];
}

export class MessageRouter {
  readonly #link: Link;
  readonly #topics: Topics;
  readonly #refuse: Refuse;
  readonly #routes = new Map<string, Route>();
  readonly #log: Logger;

  constructor(link: Link, topics: Topics, refuse: Refuse, log: Logger) {
    this.#log = log;
    this.#link = link;
    this.#topics = topics;
    this.#refuse = refuse;
  }

  /**
   * Hands every checked message of this descriptor to handle. Routes are keyed by filter (two
   * descriptors may share a kind: locks/request and locks/request/<user>). The first route of a descriptor
   * sets its topic rule and guard; later ones (another service that wants the same message) only
   * add a handler.
   */
  on<T, K extends ParsedTopic["kind"]>(descriptor: MessageDescriptor<T, K>, handle: (delivery: Delivery<T, K>) => void, options: RouteOptions<K>): void {
    if (descriptor.direction !== "in") throw new Error(`${options.owner} routes ${descriptor.topic}, which the bridge publishes and does not receive`);
    const existing = this.#routes.get(descriptor.filter);
    const handler = { owner: options.owner, handle: handle as unknown as (d: Delivery<unknown, ParsedTopic["kind"]>) => void };
    if (existing !== undefined) {
      existing.handlers.push(handler);
      return;
    }
    const route: Route = {
      descriptor: descriptor as MessageDescriptor<unknown>,
      owner: options.owner,
      badTopic: options.badTopic,
      guard: options.guard as Route["guard"],
      handlers: [handler],
    };
    this.#routes.set(descriptor.filter, route);
    this.#link.subscribe(this.#topics.prefix + descriptor.filter, (message) => this.#dispatch(route, message));
  }

  /** The table: which filter carries which message to whom. */
  table(): RouteRow[] {
    return [...this.#routes.values()].map((r) => ({ filter: this.#topics.prefix + r.descriptor.filter, message: r.descriptor.kind, owners: r.handlers.map((h) => h.owner) }));
  }

  #dispatch(route: Route, message: InboundMessage): void {
    const d = route.descriptor;
    const topic = this.#topics.parse(message.topic);
    if (topic.kind !== d.kind) {
      if (route.badTopic !== undefined) this.#refuse(message, "", topic.kind === "unknown" ? topic.reason : route.badTopic);
      return;
    }
    if (route.guard !== undefined && !route.guard(message, topic)) return;
    let value: unknown;
    if (d.check !== null && d.maxBytes !== null) {
      if (d.emptyClears === true && message.payload.length === 0) return;
      const checked = decode(message.payload, d.maxBytes, d.check);
      if (!checked.ok) return this.#refuse(message, checked.field, checked.error, answerId(d, message));
      value = checked.value;
    }
    for (const h of route.handlers) {
      // One handler's failure is its own: the others still get the message.
      try {
        h.handle({ message, topic, value });
      } catch (err) {
        this.#log.error({ err, topic: message.topic, service: h.owner }, "handler failed on a message; the message was dropped by that handler only");
      }
    }
  }
}

/** The payload's answerWith field (the lock id), so the refusal reaches the right waiter. */
function answerId(d: MessageDescriptor<unknown>, message: InboundMessage): string | undefined {
  if (d.answerWith === undefined || d.maxBytes === null) return undefined;
  const json = parseJson(message.payload, d.maxBytes);
  if (!json.ok || !isObject(json.value)) return undefined;
  const id = json.value[d.answerWith];
  return typeof id === "string" ? id.slice(0, 64) : undefined;
}
