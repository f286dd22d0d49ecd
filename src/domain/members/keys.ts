import type { Keys } from '../../engine/keys';

/**
 * Where a member's record and a conversation's link to it live: the members module's published
 * layout, which the alert store reads (the link, then the record in the script that writes the
 * alert, with both keys declared) to name a conversation's member in the alert.
 */
export function memberKeys(keys: Keys): { member(id: string): string; link(conversationId: string): string } {
  return {
    member: (id) => keys.custom('member', id),
    link: (conversationId) => keys.custom('memberlink', conversationId),
  };
}

/** The members module's own keys (nobody else reads these). */
export function memberPrivateKeys(keys: Keys) {
  return {
    links: (id: string) => keys.custom('memberlinks', id),
    joinCode: (hash: string) => keys.custom('joincode', hash),
    joinUsed: (hash: string) => keys.custom('joinused', hash),
    joinFailures: (conversationId: string) => keys.custom('joinfail', conversationId),
    /** Wrong codes from everyone in one window (a guesser changing identity). */
    joinFailuresAll: (window: number) => keys.custom('joinfail-all', String(window)),
    /** Wrong codes from one network address (a keyed hash of it) in one window. */
    joinFailuresFrom: (origin: string, window: number) => keys.custom('joinfail-from', origin, String(window)),
    /** Wrong codes from everyone, ever (never expires): a code issued at N stops working at N + the limit. */
    joinFailuresTotal: () => keys.custom('joinfail-total'),
    codeOf: (id: string) => keys.custom('membercode', id),
    all: () => keys.custom('members', 'all'),
  };
}
