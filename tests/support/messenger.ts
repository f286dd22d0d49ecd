import { createHmac } from 'node:crypto';

/** A Messenger webhook body holding one text message, in Meta's documented shape. */
export function messengerText(psid: string, mid: string, text: string): string {
  return JSON.stringify({
    object: 'page',
    entry: [
      {
        id: 'PAGE',
        time: Date.now(),
        messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: Date.now(), message: { mid, text } }],
      },
    ],
  });
}

/** POSTs a webhook body to Haven's Messenger route, signed as Meta signs it (X-Hub-Signature-256). */
export function postSignedMessenger(havenUrl: string, body: string, appSecret: string): Promise<Response> {
  return fetch(`${havenUrl}/webhooks/messenger`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
    },
    body,
  });
}
