import { z } from 'zod';

/** The settings the WhatsApp Cloud API transport reads. */
export const whatsAppCloudSettings = {
  WHATSAPP_CLOUD_ACCESS_TOKEN: z.string().min(1).optional(),
  WHATSAPP_CLOUD_PHONE_NUMBER_ID: z.string().min(1).optional(),
  WHATSAPP_CLOUD_APP_SECRET: z.string().min(1).optional(),
  WHATSAPP_CLOUD_VERIFY_TOKEN: z.string().min(1).optional(),
  WHATSAPP_CLOUD_API_URL: z.url().default('https://graph.facebook.com/v21.0'),
};
export type WhatsAppCloudSettings = z.infer<z.ZodObject<typeof whatsAppCloudSettings>>;
