/** What Haven tells a young person about a person taking over or handing back, in plain words. */
export const inboxTexts = {
  taken: (staff: string, charity: string, idleMinutes: number) =>
    `You're now talking to ${staff}, a youth worker at ${charity}. I'm Haven, the chat helper: I'll stay quiet while you chat with ${staff}.\n\nWhen ${staff} is finished, I'll tell you and I'll be back. If ${staff} doesn't write for ${idleText(idleMinutes)}, I'll come back too.\n\nIf you're in danger right now, call 999.`,
  handedBack: (staff: string) =>
    `${staff} has finished chatting for now, so you're back with me, Haven, the chat helper. If you want a youth worker again, send: talk to a person`,
  autoHandedBack: (staff: string) =>
    `${staff} hasn't written for a while, so you're back with me, Haven, the chat helper. Anything you write that I can't help with still goes to our youth workers. If you're in danger, call 999.`,
  staffMessage: (staff: string, text: string) => `${staff} (youth worker):\n${text}`,
};

function idleText(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? 'an hour' : `${minutes / 60} hours`;
  return `${minutes} minutes`;
}
