import { createHmac } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp`
 * (seconds) and `webhook-signature` = `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`. A secret
 * written as `whsec_BASE64` (the specification's form) is the base64-decoded key; any other secret
 * is used as its UTF-8 bytes.
 */
export function signWebhook(
  secret: string,
  id: string,
  body: string,
  timestampSeconds = Math.floor(Date.now() / 1000),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

/**
 * Text made safe to put in a Slack or Teams incoming webhook's `text`: no mentions (`<!channel>`),
 * no links with a made-up label (`<url|label>`, `[label](url)`), no markup read as formatting.
 */
export function escapeChatMarkup(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([[\]\\*_~`|])/g, '\\$1');
}
