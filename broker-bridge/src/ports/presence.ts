// What the presence service offers: which gadgets are known and which are online now.

import { port } from "./port";

export interface PresencePort {
  onlineGadgets(): ReadonlySet<string>;
  knownGadgets(): string[];
  /** Calls back whenever a gadget comes online or goes offline. */
  onChange(listener: () => void): void;
}

export const Presence = port<PresencePort>("presence");
