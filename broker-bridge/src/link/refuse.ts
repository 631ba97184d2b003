// The contract's answer to anything refused: {"error","topic","field"} on errors/<client id>,
// logged as well, and nothing else changes (shared/docs/contract.md, "Pipeline topics").

import { LOCK_REQUEST_MAX_BYTES, type Topics, encode, errorReplyFor, isObject, parseJson } from "@shipgate/protocol";
import type { Logger } from "pino";
import type { InboundMessage, Link } from "./link";

export type Refuse = (message: InboundMessage, field: string, error: string, id?: string) => void;

const CLIENT_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Whether a client id is one of that user's: "<user>" or "<user>-...". */
const ownedBy = (clientId: string, user: string): boolean => clientId === user || clientId.startsWith(`${user}-`);

/** The client to answer: the publisher on the embedded broker, or another client id of the same
 *  user that the payload names (a publisher such as mosquitto_pub that leaves at once asks for the
 *  answer on its reader's session); through an external broker a payload may name its client_id,
 *  else the answer goes to errors/unknown. */
export function errorClientId(message: InboundMessage): string {
  const json = parseJson(message.payload, LOCK_REQUEST_MAX_BYTES);
  const claimed = json.ok && isObject(json.value) && typeof json.value.client_id === "string" && CLIENT_ID.test(json.value.client_id) ? json.value.client_id : null;
  if (message.from !== null) {
    const user = message.from.username;
    return claimed !== null && user !== null && ownedBy(claimed, user) ? claimed : message.from.clientId;
  }
  // On locks/request/<user> and locks/<id>/cancel/<user> (issue 13) the ACL vouches for the user,
  // not for the client_id a payload names: answer only a client id of that user's ("<user>" or
  // "<user>-..."), else errors/<user>, so a message cannot direct the bridge's answer into another
  // client's errors topic.
  const owner = /(?:^|\/)locks\/(?:request|[0-9a-fA-F-]{36}\/cancel)\/([A-Za-z0-9_.-]{1,64})$/.exec(message.topic)?.[1];
  if (owner !== undefined) return claimed !== null && ownedBy(claimed, owner) ? claimed : owner;
  return claimed ?? "unknown";
}

export function makeRefuse(link: Link, topics: Topics, log: Logger, onRefused?: (message: InboundMessage, field: string, error: string) => void): Refuse {
  return (message, field, error, id) => {
    const clientId = errorClientId(message);
    const reply = errorReplyFor(message.topic, { ok: false, field, error }, id);
    // errorReplyFor prefixes the field; callers pass the bare reason.
    log.warn({ topic: message.topic, client: clientId, field, error }, "refused a message");
    onRefused?.(message, field, error);
    link.publish(topics.errors(clientId), encode(reply), { qos: 1, retain: false }).catch((err: Error) => {
      log.warn({ err: err.message }, "could not publish an error answer");
    });
  };
}
