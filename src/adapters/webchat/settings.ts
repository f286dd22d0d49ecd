import { z } from 'zod';

/** The settings Haven's own web chat reads. */
export const webchatSettings = {
  /** Web chat messages accepted from one network address a minute, across all its browsers. */
  WEBCHAT_RATE_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().positive().default(240),
  /** Open web chat reply streams allowed from one network address (per process). */
  WEBCHAT_STREAMS_PER_ADDRESS: z.coerce.number().int().positive().default(6),
  /** Open web chat reply streams allowed in all (per process), so webhooks always find a connection. */
  WEBCHAT_STREAMS_TOTAL: z.coerce.number().int().positive().default(500),
};
export type WebchatSettings = z.infer<z.ZodObject<typeof webchatSettings>>;
