// What the security service offers: the embedded broker's rules, and gadgets' signing secrets.

import type { BrokerAuthorizer } from "../broker/embedded-broker";
import { port } from "./port";

export interface GadgetSecretsPort {
  /** The gadget's event-signing secret from the credentials, if it has one. */
  gadgetSecret(gadget: string): string | undefined;
}

export const GadgetSecrets = port<GadgetSecretsPort>("gadget-secrets");
/** Who may connect, publish and subscribe on the embedded broker. */
export const BrokerAuthorization = port<BrokerAuthorizer>("broker-authorizer");
