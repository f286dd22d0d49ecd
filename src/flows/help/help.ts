import { MENU, type Choice } from '../../engine/message';

export { MENU };
import type { FlowContext, NamedFlow } from '../../engine/flow';
import { plainSaid } from '../shared/said';

/** The main menu as choices. */
export const MENU_CHOICES: Choice[] = [
  { title: 'Talk to a youth worker', payload: MENU.request },
  { title: 'Staying safe online', payload: MENU.safety },
  { title: "I'm worried", payload: MENU.worried },
];

const NOT_EMERGENCY =
  "I'm not an emergency service. If you're in danger call 999, or call Childline free on 0800 1111.";

/** What Haven is and can do, in a few short lines. */
export function helpText(charity: string): string {
  return [
    `Hi, I'm Haven 👋 a chat helper run by the youth workers at ${charity}.`,
    'I can help you:\n• ask for a one-to-one chat with a youth worker\n• stay safe online\n• tell someone if you are worried about something\n• find a support group (say "what\'s on")\n• join, with the code your youth worker gave you (just send me the code)',
    NOT_EMERGENCY,
  ].join('\n\n');
}

/** "what is this", "who are you", "are you a bot": a question about Haven itself. */
export const WHAT_IS =
  /^(what|wat|wot|wht)('?s| is| r| are)? (this|this place|this app|this chat|this site|this website|this thing|this bot|haven|you|u)( for| about)?$|^(who|what) (are|r) (you|u)$|^(what|who) is (this|haven)$|^what (do|can) (you|u) do$|^how does (this|it|haven) work$|^(are|r) (you|u) (a )?(bot|robot|real|real person|human|person|computer|ai)$|^is this (a )?(bot|robot|real person|human|person|computer|ai)$/;

/** The answer to {@link WHAT_IS}: honest that Haven is a computer, then what it can do. */
export function whatIsText(charity: string): string {
  return [
    `This is Haven 👋 I'm a chat helper run by the youth workers at ${charity}. I'm a computer, not a person, and I can pass things on to the youth workers.`,
    helpText(charity).split('\n\n')[1],
    NOT_EMERGENCY,
  ].join('\n\n');
}

const GREETING = /^(hi+|hey+|hello+|hiya|heya|yo|sup|wassup|help|menu|start|get started|options|\?+)\b/;
/** "im worried", "i'm a bit scared", "worried about something": the menu's "I'm worried", typed. */
export const WORRIED =
  /^(i'?m |i am |i feel |feeling |im |i've been |ive been )?(really |so |a bit |kinda |quite |very )?(worried|scared|frightened|upset|anxious|not ok|not okay)( about (something|sth|smth|stuff|some stuff))?$/;
/**
 * Low mood the screen did not alert on ("just fed up", "feeling really low", "im not going to kill myself dont
 * worry"): not a menu choice, so it is passed to a youth worker instead of "didn't get that".
 */
export const LOW_MOOD =
  /\b(fed up|(feel|feeling|felt) (so |really |a bit |proper |well |dead |super )?(low|down|sad|rubbish|crap|awful|terrible|alone|lonely|hopeless|empty|numb|worthless|useless)|not (feeling )?(ok|okay|alright)|struggling|can'?t cope|(kill|hurt|harm) myself|suicidal|want to die|wanna die)\b/;
/** "ok", "thanks", "cool": nothing to do but be friendly. */
const THANKS =
  /^(ok+|okay|okey|k+|kk|thanks|thank you|thank u|thanks a lot|cheers|cool|great|nice|ok thanks|okay thanks|alright|ight|bye|see you|got it)$/;

/** Options for {@link helpFlow}. */
export interface HelpOptions {
  /**
   * Something to add to a welcome (the short online-safety reminder for a first contact), with
   * choices of its own shown after the menu; null when there is nothing to add this time.
   */
  welcomeNote?: (ctx: FlowContext) => { text: string; choices: Choice[] } | null;
  /**
   * Tried before "Sorry, I didn't quite get that": true when it answered (flows/inbox passes the
   * message to the team when a conversation, request or alert is open).
   */
  unmatched?: (ctx: FlowContext) => Promise<boolean>;
}

/**
 * Greeting and help: "hi", "help", "menu", a first contact, or anything no other flow understood
 * gets a short, warm answer with the menu. Always last in the chain.
 */
export function helpFlow(opts: HelpOptions = {}): NamedFlow {
  return {
    name: 'help',
    run: async (ctx) => {
      const charity = ctx.services.settings.charityName;
      const said = plainSaid(ctx.message.kind === 'choice' ? '' : ctx.message.text);
      // Only reached when the staff inbox (which answers "I'm worried" first) could not take the message:
      // so no promise that a youth worker will read it, only where help is now.
      if (ctx.input === MENU.worried || WORRIED.test(said)) {
        ctx.reply(
          "I'm glad you reached out. I can't pass messages to our youth workers just now, sorry. Please try again a bit later.\n\nIf you're in danger right now, call 999. You can talk to Childline free on 0800 1111, any time, about anything.",
        );
        return;
      }
      const askingWhat = WHAT_IS.test(said);
      if (
        askingWhat ||
        ctx.isFirstContact ||
        ctx.input === MENU.help ||
        GREETING.test(ctx.input) ||
        ctx.message.kind === 'start'
      ) {
        const note = opts.welcomeNote?.(ctx);
        const text = askingWhat ? whatIsText(charity) : helpText(charity);
        ctx.reply(note ? `${text}\n\n${note.text}` : text, note ? [...MENU_CHOICES, ...note.choices] : MENU_CHOICES);
        return;
      }
      if (THANKS.test(said)) {
        ctx.reply("You're welcome. I'm here whenever you need me.", MENU_CHOICES);
        return;
      }
      if (ctx.message.kind === 'media') {
        ctx.reply('Sorry, I can only read text messages. Could you type it for me?', MENU_CHOICES);
        return;
      }
      if (await opts.unmatched?.(ctx)) return;
      ctx.reply(
        `Sorry, I didn't quite get that. I'm Haven, a chat helper run by the youth workers at ${charity}.\n\n${helpText(charity).split('\n\n')[1]}\n\n${NOT_EMERGENCY}`,
        MENU_CHOICES,
      );
    },
  };
}
