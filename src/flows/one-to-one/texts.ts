import { MEETING_PLATFORM_NAMES, MEETING_PLATFORMS, type MeetingPlatform } from '../../common/meeting';
import { formatSessionTime, workerNames, WORKER_PREFERENCE_WORDS } from '../../domain/requests/texts';
import type { OneToOneRequest, WorkerPreference } from '../../domain/requests/types';
import type { Choice } from '../../engine/message';
import { MENU } from '../help/help';

/** Payloads of this flow's choices. */
export const O2O = {
  platform: (p: MeetingPlatform) => `O2O_P_${p}`,
  workers: (w: WorkerPreference) => `O2O_W_${w}`,
  skip: 'O2O_SKIP',
  yes: 'O2O_YES',
  change: 'O2O_CHANGE',
  cancel: 'O2O_CANCEL',
  edit: (field: string) => `O2O_EDIT_${field}`,
  back: 'O2O_BACK',
  cancelYes: 'O2O_CANCEL_YES',
  cancelNo: 'O2O_CANCEL_NO',
} as const;

/** Asked before an open request or a booked session is cancelled. */
export const CANCEL_CONFIRM_CHOICES: Choice[] = [
  { title: 'Yes, cancel it', payload: O2O.cancelYes },
  { title: 'No, keep it', payload: O2O.cancelNo },
];

/** The question before cancelling. */
export function cancelQuestion(r: OneToOneRequest, timeZone: string): string {
  return r.status === 'scheduled' && r.session
    ? `Do you want to cancel your one-to-one on ${formatSessionTime(r.session.at, timeZone)}? I'll tell your youth worker.`
    : "Do you want to cancel your one-to-one request? You'll lose your place in the queue.";
}

const PLATFORM_TITLES: Record<MeetingPlatform, string> = {
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  teams: 'Teams',
  zoom: 'Zoom',
  phone: 'Phone call',
};

export const PLATFORM_CHOICES: Choice[] = MEETING_PLATFORMS.map((p) => ({
  title: PLATFORM_TITLES[p],
  payload: O2O.platform(p),
}));
export const WORKER_CHOICES: Choice[] = [
  { title: 'One', payload: O2O.workers('one') },
  { title: 'Two', payload: O2O.workers('two') },
  { title: "Don't mind", payload: O2O.workers('no_preference') },
];
export const CONFIRM_CHOICES: Choice[] = [
  { title: 'Yes, send it', payload: O2O.yes },
  { title: 'Change something', payload: O2O.change },
  { title: 'Cancel', payload: O2O.cancel },
];
export const CHANGE_CHOICES: Choice[] = [
  { title: 'How to meet', payload: O2O.edit('platform') },
  { title: 'When', payload: O2O.edit('when') },
  { title: 'Youth workers', payload: O2O.edit('workers') },
  { title: 'Note', payload: O2O.edit('note') },
  { title: "It's fine", payload: O2O.back },
];

export const QUESTIONS = {
  platform: 'How would you like to meet?',
  when: 'When suits you best? Type it in your own words, like "after school on Tuesday".',
  workers: 'Would you like one youth worker or two?',
  note: "Is there anything you'd like the youth worker to know first? Type it, or tap Skip.",
  change: 'What would you like to change?',
};

export const START_TEXT = "Great, let's ask for a one-to-one 🙂 Just 4 quick questions.";

export function notMemberText(): string {
  return [
    "I'd love to help you talk to a youth worker 🙂",
    'To book a one-to-one chat, you need to join first. Your parent or carer fills in a short form to say yes, and then you get a join code. Send me the code, like this: ABCD1234',
    'You can also message a youth worker here now, even before you join. Tap "Talk to a person" and I\'ll pass on what you write. They can tell you how to join, too.',
  ].join('\n\n');
}

export const NOT_MEMBER_CHOICES: Choice[] = [
  { title: 'Talk to a person', payload: MENU.person },
  { title: 'Staying safe online', payload: MENU.safety },
  { title: "I'm worried", payload: MENU.worried },
];

/** The answers read back before sending. */
export function summary(a: Record<string, string>): string {
  const lines = [
    `• Meet by: ${MEETING_PLATFORM_NAMES[a.platform as MeetingPlatform] ?? a.platform}`,
    `• When: ${a.when}`,
    `• Youth workers: ${WORKER_PREFERENCE_WORDS[a.workers as WorkerPreference] ?? a.workers}`,
  ];
  if (a.askedFor) lines.push(`• You asked for: ${a.askedFor}`);
  lines.push(`• Note: ${a.note ? a.note : 'none'}`);
  return lines.join('\n');
}

export function confirmText(a: Record<string, string>, editing: boolean): string {
  return `Here's your request:\n${summary(a)}\n\n${editing ? 'Shall I save these changes?' : 'Shall I send it to our youth workers?'}`;
}

/** Told after queueing: place in the queue and an honest time for contact. */
export function queuedText(name: string, position: number | null, open: boolean, nextOpening: string): string {
  const place = position ? `You're number ${position} in the queue.` : '';
  const when = open
    ? 'A youth worker will message you here soon to find a time.'
    : `Our team isn't at work right now, so a youth worker will message you here ${nextOpening}.`;
  return [
    `Thanks, ${name}! I've sent your request to our youth workers 🙂`,
    `${place} ${when}`.trim(),
    'Send status to check on it, or cancel if you change your mind.',
  ].join('\n\n');
}

/** Where an open request is, in plain words. */
export function statusText(r: OneToOneRequest, position: number | null, timeZone: string): string {
  switch (r.status) {
    case 'new':
      return `Your one-to-one request is waiting for a youth worker.${position ? ` You're number ${position} in the queue.` : ''}`;
    case 'claimed':
      return `A youth worker is sorting out your one-to-one now.${position ? ` You're number ${position} in the queue.` : ''} They'll message you here.`;
    case 'scheduled':
      return `Your one-to-one is booked 🙂\nWhen: ${formatSessionTime(r.session!.at, timeZone)}\nWhere: ${r.session!.place}\nWho: ${workerNames(r.workersAssigned)}`;
    default:
      return 'Your request is closed.';
  }
}

export const OPEN_CHOICES: Choice[] = [
  { title: 'Change it', payload: O2O.change },
  { title: 'Cancel it', payload: O2O.cancel },
];
