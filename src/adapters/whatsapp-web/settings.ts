import { z } from 'zod';
import { envBool } from '../../common/env';

/** The settings the WhatsApp (whatsapp-web.js) channel reads. */
export const whatsAppWebSettings = {
  WHATSAPP_ENABLED: envBool.default(false),
  PUPPETEER_EXECUTABLE_PATH: z.string().min(1).default('/usr/bin/chromium'),
  /** Where whatsapp-web.js keeps its linked-device session (a volume in production). */
  WHATSAPP_AUTH_PATH: z.string().min(1).default('./.wwebjs_auth'),
  /** Phone number (international, digits only) to pair by code instead of QR. */
  WHATSAPP_PAIRING_NUMBER: z
    .string()
    .regex(/^\d{8,15}$/, { message: 'digits only, with country code, e.g. 447700900123' })
    .optional(),
};
export type WhatsAppWebSettings = z.infer<z.ZodObject<typeof whatsAppWebSettings>>;
