import { z } from 'zod';

/** The Bot Framework channel ids Haven answers on (Skype is kept for bots still registered there). */
export const ACCEPTED_CHANNELS = ['msteams', 'skype', 'webchat', 'directline', 'emulator'] as const;

const id = z.string().min(1).max(1024);
const account = z.looseObject({ id, name: z.string().max(1024).nullish(), role: z.string().max(64).nullish() });

/**
 * The fields botbuilder needs from every activity before it can authenticate it and build a
 * turn. Checked before botbuilder sees the body, so a malformed activity answers 400, not 500.
 */
export const activityEnvelope = z.looseObject({
  type: z.string().min(1).max(64),
  channelId: z.string().min(1).max(64),
  serviceUrl: z.url({ protocol: /^https?$/ }).max(2048),
  conversation: z.looseObject({ id }),
  from: account,
  recipient: account,
  id: id.optional(),
  timestamp: z.string().max(64).optional(),
});

/** A message activity: what a person typed, tapped or attached. */
export const messageActivity = activityEnvelope.extend({
  type: z.literal('message'),
  id,
  text: z.string().nullish(),
  value: z.unknown().optional(),
  attachments: z.array(z.looseObject({ contentType: z.string().optional() })).nullish(),
  channelData: z.looseObject({ postBack: z.boolean().optional() }).nullish(),
});

/** A conversationUpdate activity: members joined or left. */
export const conversationUpdateActivity = activityEnvelope.extend({
  type: z.literal('conversationUpdate'),
  membersAdded: z.array(account).nullish(),
});

/** Checks an activity posted to /api/messages; returns readable issues when it is unusable. */
export function checkActivity(body: unknown): { ok: true } | { ok: false; issues: string[] } {
  const base = activityEnvelope.safeParse(body);
  const parsed = !base.success
    ? base
    : base.data.type === 'message'
      ? messageActivity.safeParse(body)
      : base.data.type === 'conversationUpdate'
        ? conversationUpdateActivity.safeParse(body)
        : base;
  if (parsed.success) return { ok: true };
  return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`) };
}
