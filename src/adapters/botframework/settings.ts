import { z } from 'zod';

/** The settings the Bot Framework channel reads (botbuilder's own names). */
export const botFrameworkSettings = {
  MicrosoftAppId: z.string().min(1).optional(),
  MicrosoftAppPassword: z.string().min(1).optional(),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  MicrosoftAppTenantId: z.string().min(1).optional(),
  /** Open /api/messages unauthenticated in production (for the Bot Framework Emulator) on purpose. */
  BOTFRAMEWORK_EMULATOR: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
};
export type BotFrameworkSettings = z.infer<z.ZodObject<typeof botFrameworkSettings>>;
