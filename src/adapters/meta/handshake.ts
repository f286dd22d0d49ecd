import { safeEqual } from './signature';

/** What to answer Meta's `GET` verification request. */
export type HandshakeResult = { ok: true; challenge: string } | { ok: false };

/**
 * Meta's webhook verification: `hub.mode=subscribe`, `hub.verify_token` equal (constant time) to
 * the configured token, and a `hub.challenge` to echo. Anything else is refused.
 */
export function checkHandshake(query: unknown, verifyToken: string): HandshakeResult {
  if (!query || typeof query !== 'object') return { ok: false };
  const q = query as Record<string, unknown>;
  const mode = q['hub.mode'];
  const token = q['hub.verify_token'];
  const challenge = q['hub.challenge'];
  if (mode !== 'subscribe' || typeof token !== 'string' || typeof challenge !== 'string') return { ok: false };
  if (challenge.length === 0 || challenge.length > 256) return { ok: false };
  return safeEqual(token, verifyToken) ? { ok: true, challenge } : { ok: false };
}
