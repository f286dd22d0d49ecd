import { z } from 'zod';

/** The test-only loopback channel's settings: a token and a secret that go together. */
export const loopbackSettings = {
  LOOPBACK_TOKEN: z.string().min(1).optional(),
  LOOPBACK_SECRET: z.string().min(8, { message: 'must be at least 8 characters' }).optional(),
};
export type LoopbackSettings = z.infer<z.ZodObject<typeof loopbackSettings>>;
