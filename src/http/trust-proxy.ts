/**
 * Fastify's `trustProxy` from TRUST_PROXY: a hop count trusts that many proxies nearest Haven
 * (proxy-addr's hop index: 0 is the socket's peer), addresses trust those proxies. Either way the
 * client's address is the right-most X-Forwarded-For entry no trusted proxy added, never the
 * left-most one a client may write itself.
 */
export function trustProxyOption(
  setting: false | number | string[],
): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return setting;
}
