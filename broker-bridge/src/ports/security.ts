// What the security service offers: the embedded broker's rules, and the gadget accounts with
// their signing secrets.

import type { BrokerAuthorizer } from "../broker/embedded-broker";
import { port } from "./port";

export interface GadgetSecretsPort {
  /** The gadget's event-signing secret from the credentials, if it has one. */
  gadgetSecret(gadget: string): string | undefined;
  /** The gadget accounts (`shipgate user add ID --role gadget`), read afresh when the file changed. */
  gadgetAccounts(): readonly string[];
}

export const GadgetSecrets = port<GadgetSecretsPort>("gadget-secrets");
/** Who may connect, publish and subscribe on the embedded broker. */
export const BrokerAuthorization = port<BrokerAuthorizer>("broker-authorizer");
