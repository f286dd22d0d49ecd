import type { SafetyContent } from './content';
import { pointsById } from './content';

const bullets = (lines: string[]) => lines.map((l) => `• ${l}`).join('\n');

/** The short version that goes with the first welcome: two or three lines. */
export function welcomeReminder(content: SafetyContent): string {
  return content.welcome.lines.join('\n');
}

/**
 * The whole list: the general tips first, then the rules for calls and for groups, each under a
 * heading that says where it applies. One message, because the outbound queue does not promise to
 * keep two replies in order.
 */
export function fullReminder(content: SafetyContent): string {
  const f = content.full;
  return [
    `${f.intro}\n${bullets(f.points.map((p) => p.text))}`,
    f.callsIntro && f.callPoints ? `${f.callsIntro}\n${bullets(f.callPoints.map((p) => p.text))}` : '',
    `${f.groundRulesIntro}\n${bullets(f.groundRules.map((p) => p.text))}`,
    f.outro,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The refresher for someone not seen for a long time. */
export function refresherReminder(content: SafetyContent): string {
  const r = content.refresher;
  return [`${r.intro}\n${bullets(pointsById(content, r.points))}`, r.outro].filter(Boolean).join('\n\n');
}
