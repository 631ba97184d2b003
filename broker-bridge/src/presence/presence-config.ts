// The `presence` section: reserved. The presence service reads no settings yet (gadgets' heartbeat
// intervals come from the gadgets themselves), and the key has always been accepted as is, so a
// file that has one keeps loading.

import { z } from "zod";
import type { ConfigSection } from "../config-schema";

export const PRESENCE_SECTION: ConfigSection = {
  key: "presence",
  document: "reserved for the presence service, which reads no settings yet",
  schema: z.unknown(),
};
