/** Ways a young person can meet a youth worker for a one-to-one. */
export const MEETING_PLATFORMS = ['whatsapp', 'messenger', 'teams', 'zoom', 'phone'] as const;
export type MeetingPlatform = (typeof MEETING_PLATFORMS)[number];

/** How each platform is named to a young person. */
export const MEETING_PLATFORM_NAMES: Record<MeetingPlatform, string> = {
  whatsapp: 'WhatsApp video',
  messenger: 'Messenger video',
  teams: 'Microsoft Teams',
  zoom: 'Zoom',
  phone: 'a phone call',
};
