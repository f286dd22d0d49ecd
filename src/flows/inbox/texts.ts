/** When the young person will hear back, honestly: now if staff are at work, else when they are next in. */
export function whenTheyRead(when: { open: boolean; next: string }): string {
  return when.open
    ? "They're at work now and will read it as soon as they can."
    : `They're not at work right now, so one of them will read it ${when.next}.`;
}

const DANGER = "If you're in danger right now, call 999. You can also call Childline free on 0800 1111, any time.";

export const texts = {
  worried: (when: { open: boolean; next: string }) =>
    `I'm glad you reached out. Tell me here what's worrying you, in your own words, and I'll pass it to our youth workers. ${whenTheyRead(when)}\n\n${DANGER}`,
  passed: (when: { open: boolean; next: string }) =>
    `Thank you. I've passed that to our youth workers. ${whenTheyRead(when)}\n\n${DANGER}`,
  lowMood: (when: { open: boolean; next: string }) =>
    `I'm sorry things feel hard right now, and thank you for telling me. I've passed this to our youth workers. ${whenTheyRead(when)}\n\nIf you feel like hurting yourself, or you're in danger, call 999. You can also call Childline free on 0800 1111, or text SHOUT to 85258, any time.`,
  added: "Thanks, I've added that for our youth workers.",
  person: (when: { open: boolean; next: string }) =>
    `OK. I've asked our youth workers to read this chat and reply to you here. ${whenTheyRead(when)}\n\nTell me here what you'd like to talk about.\n\n${DANGER}`,
  replyPassed: (by: string, when: { open: boolean; next: string }) =>
    `Thanks, I've passed your reply to ${by}. ${whenTheyRead(when)}`,
};
