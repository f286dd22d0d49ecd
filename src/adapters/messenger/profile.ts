import { MENU } from '../../engine/message';
import { postGraph } from '../meta';
import { MESSENGER_CODES } from './adapter';
import { GET_STARTED } from './events';

/** The persistent menu young people see in Messenger (titles at most 30 characters). */
export const PERSISTENT_MENU = [
  { title: 'Talk to a youth worker', payload: MENU.request },
  { title: 'Staying safe online', payload: MENU.safety },
  { title: "I'm worried about something", payload: MENU.worried },
] as const;

/** The Messenger Profile API body: Get Started button, greeting and persistent menu. */
export function messengerProfile(charityName: string): Record<string, unknown> {
  return {
    get_started: { payload: GET_STARTED },
    greeting: [
      {
        locale: 'default',
        text: `Hi! This is Haven from ${charityName}. Chat to us about anything. Not an emergency service: in danger, call 999.`.slice(
          0,
          160,
        ),
      },
    ],
    persistent_menu: [
      {
        locale: 'default',
        composer_input_disabled: false,
        call_to_actions: PERSISTENT_MENU.map((m) => ({ type: 'postback', title: m.title, payload: m.payload })),
      },
    ],
  };
}

/**
 * Sets the page's Get Started button, greeting and persistent menu with one POST to
 * `{apiUrl}/me/messenger_profile` (what `haven messenger setup` runs). Throws a classified
 * Graph error when Meta refuses.
 */
export async function setupMessengerProfile(opts: {
  apiUrl: string;
  pageAccessToken: string;
  charityName: string;
}): Promise<{ result: unknown }> {
  const answer = await postGraph({
    url: `${opts.apiUrl.replace(/\/+$/, '')}/me/messenger_profile`,
    token: opts.pageAccessToken,
    body: messengerProfile(opts.charityName),
    codes: MESSENGER_CODES,
    product: 'Messenger Profile API',
  });
  const result = (answer as { result?: unknown } | undefined)?.result ?? 'success';
  return { result };
}
