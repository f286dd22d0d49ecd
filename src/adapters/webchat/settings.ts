import { z } from 'zod';

/** The settings Haven's own web chat reads. */
export const webchatSettings = {
  /** Web chat messages accepted from one network address a minute, across all its browsers. */
  WEBCHAT_RATE_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().positive().default(240),
};
export type WebchatSettings = z.infer<z.ZodObject<typeof webchatSettings>>;
