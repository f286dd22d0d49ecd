import type { StaffRole } from './accounts';

/** The dashboard's areas. */
export type StaffArea = 'requests' | 'alerts' | 'members' | 'channels' | 'queues' | 'groups' | 'conversations';

/**
 * Who may open what. Alerts hold what a child wrote when they were in danger, so only the
 * safeguarding lead(s) and admins see them here; on-duty workers get each alert in their own chat
 * and can acknowledge it with `ack CODE` or the signed link, which needs no dashboard access.
 */
export const ACCESS: Record<StaffArea, readonly StaffRole[]> = {
  requests: ['coordinator', 'worker', 'admin'],
  alerts: ['safeguarding-lead', 'admin'],
  // A safeguarding lead sees only the conversations linked to alerts (routes/conversations).
  conversations: ['coordinator', 'worker', 'safeguarding-lead', 'admin'],
  members: ['coordinator', 'admin'],
  channels: ['coordinator', 'admin'],
  queues: ['admin'],
  // Peer support groups: workers see the lists and mark attendance; coordinators and admins also create and change sessions.
  groups: ['coordinator', 'worker', 'admin'],
};

export const AREA_TITLES: Record<StaffArea, string> = {
  requests: 'Requests',
  alerts: 'Alerts',
  conversations: 'Conversations',
  members: 'Members',
  channels: 'Channels',
  queues: 'Queues',
  groups: 'Groups',
};

export function canUse(role: StaffRole, area: StaffArea): boolean {
  return ACCESS[area].includes(role);
}

/** The areas a role may open, in menu order. */
export function areasFor(role: StaffRole): StaffArea[] {
  return (Object.keys(ACCESS) as StaffArea[]).filter((a) => canUse(role, a));
}
