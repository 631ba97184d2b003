// The bridge's services talk MQTT through a Link: the same interface over the embedded broker
// (in-process, where the sender's identity is known) and over an external broker (a client).

export interface Sender {
  clientId: string;
  /** The authenticated user name, or null for anonymous (only where auth is off). */
  username: string | null;
  /** The user's role from the credentials file, when known. */
  role: string | null;
}

export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** Who published it: known on the embedded broker; null through an external broker. */
  from: Sender | null;
}

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
  /** A refresh that may wait behind other publishes and is dropped when a later publish on the
   *  same topic comes first (queue positions shifting); never for a state change. */
  bulk?: boolean;
}

export type MessageHandler = (message: InboundMessage) => void;

export interface Link {
  /** "embedded" or "external": services explain identity limits in their errors. */
  readonly kind: "embedded" | "external";
  /** Routes messages whose topic matches filter to handler. Handlers run synchronously and must not throw. */
  subscribe(filter: string, handler: MessageHandler): void;
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
  /** Resolves once subscriptions are in place (external: SUBACK received). */
  ready(): Promise<void>;
  close(): Promise<void>;
}
