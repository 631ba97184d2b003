// Which topics a pipeline uses for one lock. With a user name: the user-scoped ones, whose user
// level an external broker's ACL binds to the authenticated user (docs/protocol.md, "User-scoped
// lock topics"), so the bridge knows who requests and cancels, and only this user reads the
// states. The embedded broker serves them too. Without a user name (an open test bridge): the
// contract's locks/request, locks/<id>/cancel and locks/<id>.

import { NODE_ID_PATTERN, type Topics } from "@shipgate/protocol";

export interface LockTopics {
  /** Where the request goes. */
  request: string;
  /** Where the lock's retained state arrives. */
  state: string;
  /** Where a cancel goes. */
  cancel: string;
}

/** The user the topics are scoped to, or undefined for the contract's topics. A name that cannot
 *  be one topic level (not letters, digits, '_', '.', '-') is not used in topics. */
export function topicUser(username: string | undefined): string | undefined {
  return username !== undefined && NODE_ID_PATTERN.test(username) ? username : undefined;
}

export function lockTopics(topics: Topics, id: string, username: string | undefined): LockTopics {
  const user = topicUser(username);
  if (user === undefined) return { request: topics.lockRequest(), state: topics.lockState(id), cancel: topics.lockCancel(id) };
  return { request: topics.lockRequestFor(user), state: topics.ownerLockState(user, id), cancel: topics.lockCancelFor(id, user) };
}

/** The filter for every lock state this user may read (the Concourse resource's check). */
export function lockStatesFilter(topics: Topics, username: string | undefined): string {
  const user = topicUser(username);
  return user === undefined ? topics.allLockStates() : topics.ownerLockStates(user);
}
