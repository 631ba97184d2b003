// The standby's stand-in for the broker link: it takes the services' subscriptions and never
// connects. Only the leader may hold the bridge's broker session (one shared client id with a
// persistent session, docs/deploy-ha.md): a standby that connected with it would take the session
// away from the leader, and one with another id would receive nothing that the session queues.
// What a standby would publish is dropped: it changes nothing, so it has nothing to announce.

import type { Link, MessageHandler, PublishOptions } from "../link/link";

export class ParkedLink implements Link {
  readonly kind = "external";
  readonly filters: string[] = [];

  subscribe(filter: string, _handler: MessageHandler): void {
    this.filters.push(filter);
  }

  publish(_topic: string, _payload: string | Buffer, _options: PublishOptions): Promise<void> {
    return Promise.resolve();
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
