import type { Haven } from '../../src/main';
import { startConversation, type Conversation } from './conversation';

/** A member on the web chat with a one-to-one booked, as {@link memberWithBookedSession} leaves them. */
export interface MemberWithSession {
  memberId: string;
  chat: Conversation;
  requestId: string;
}

/** A new member called `name` (consent given by `consentBy`), joined on the web chat with their code. */
export async function joinedMember(
  haven: Haven,
  name: string,
  consentBy = 'Parent',
): Promise<{ memberId: string; chat: Conversation }> {
  const { memberId, joinCode } = await haven.members.add({ name, consentBy, addedBy: 't' });
  const chat = await startConversation(haven);
  await chat.send(`join ${joinCode}`);
  await chat.expectReply(new RegExp(`Welcome, ${name}`));
  return { memberId, chat };
}

/**
 * A new member called `name`, joined on the web chat with their code, whose one-to-one (by phone,
 * on Saturday) is scheduled by Ana three days from now; returns once the young person has been
 * told it is booked (its reminders are queued then).
 */
export async function memberWithBookedSession(haven: Haven, name: string): Promise<MemberWithSession> {
  const { memberId, chat } = await joinedMember(haven, name, 'Ola');
  const { request } = await haven.requests.create({
    memberId,
    memberName: name,
    conversationId: chat.conversationId,
    platform: 'phone',
    when: 'Saturday',
    workers: 'no_preference',
  });
  await haven.requests.schedule(
    request.id,
    { at: new Date(Date.now() + 3 * 86400_000), place: "we'll ring you", workers: ['Ana'] },
    'Ana',
  );
  await chat.expectReply(/booked/);
  return { memberId, chat, requestId: request.id };
}

/**
 * Asks for a one-to-one through the four questions, as a member would, and sends it: by Zoom, at
 * `when`, one youth worker, with `note` for the youth worker (or "Skip"). Returns once Haven says it
 * was sent.
 */
export async function askForOneToOne(chat: Conversation, o: { when: string; note?: string }): Promise<void> {
  await chat.send('can i talk to someone');
  await chat.expectReply(/How would you like to meet/);
  await chat.tap('Zoom');
  await chat.expectReply(/When suits you/);
  await chat.send(o.when);
  await chat.expectReply(/one youth worker or two/);
  await chat.send('1');
  await chat.expectReply(/anything you'd like the youth worker to know/);
  if (o.note) await chat.send(o.note);
  else await chat.tap('Skip');
  await chat.expectReply(/Shall I send it/);
  await chat.tap('Yes, send it');
  await chat.expectReply(/sent your request/);
}
