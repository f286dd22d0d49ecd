import { z } from 'zod';

/** The settings the Messenger channel reads. */
export const messengerSettings = {
  MESSENGER_APP_SECRET: z.string().min(1).optional(),
  MESSENGER_VERIFY_TOKEN: z.string().min(1).optional(),
  MESSENGER_PAGE_ACCESS_TOKEN: z.string().min(1).optional(),
  MESSENGER_API_URL: z.url().default('https://graph.facebook.com/v21.0'),
};
export type MessengerSettings = z.infer<z.ZodObject<typeof messengerSettings>>;
