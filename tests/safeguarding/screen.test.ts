import { createScreen, defaultScreen, loadLexicon, MAX_SCREEN_CHARS, parseLexicon } from '../../src/safeguarding';
import { MODEL_CLASSES, type ScreenModel } from '../../src/safeguarding/model';
import type { Category } from '../../src/safeguarding/types';
import { textPieces } from '../../src/safeguarding/screen';

const screen = defaultScreen();
const alerts = (text: string): boolean => screen.screen(text).alert;

describe('screen decisions', () => {
  it('returns exactly the contract shape, no alert', () => {
    expect(screen.screen('what time is group on saturday')).toEqual({
      alert: false,
      category: null,
      severity: null,
      matched: [],
    });
    expect(screen.screen('')).toEqual({ alert: false, category: null, severity: null, matched: [] });
  });

  it('reports lexicon ids in matched, not the young person’s words', () => {
    const r = screen.screen('i want to k1ll myseeelf');
    expect(r).toMatchObject({ alert: true, category: 'suicide', severity: 'high' });
    expect(r.matched).toContain('suicide.kill_self');
    expect(r.matched.join(' ')).not.toContain('myseeelf');
  });

  it.each([
    ['a pill count', 'i just took 24 paracetamol', 'suicide', 'urgent'],
    ['a plan for tonight', 'gonna kill myself tonight', 'suicide', 'urgent'],
    ['someone not waking', 'mum wont wake up and i dont know what to do', 'neglect_danger', 'urgent'],
    ['in progress right now', 'dad is hitting mum right now', 'domestic_abuse', 'urgent'],
    ['a parent overdose', 'dad took a whole box of his tablets', 'neglect_danger', 'urgent'],
    ['bleeding that will not stop', 'i cut too deep and it wont stop bleeding', 'self_harm', 'urgent'],
  ])('urgent: %s', (_what, text, category, severity) => {
    expect(screen.screen(text)).toMatchObject({ alert: true, category, severity });
  });

  it('does not let simple negation suppress a suicide disclosure', () => {
    expect(screen.screen("i'm not going to kill myself tonight i promise")).toMatchObject({
      alert: true,
      category: 'suicide',
    });
  });

  it('picks the most severe match, then the category order (suicide first)', () => {
    const r = screen.screen('dad hits me and i want to die');
    expect(r.category).toBe('suicide');
    const urgent = screen.screen('dad hits me. mum isnt breathing');
    expect(urgent).toMatchObject({ category: 'neglect_danger', severity: 'urgent' });
    expect(urgent.matched[0]).toBe('neglect_danger.unresponsive');
  });

  it('lets a bullying threat replace the suicide phrase it quotes', () => {
    expect(screen.screen('kids at school keep telling me to kill myself')).toMatchObject({
      category: 'bullying_threat',
    });
  });
});

describe('figurative language', () => {
  it.each([
    'this homework is killing me',
    "i'm dead 😂",
    'i could murder a chippy tea',
    'im gonna strangle him lol',
    'that film was sick',
    'starving cant wait for tea',
    'we battered them 5-0',
    'we got battered 5-0',
    'these trainers are lethal',
    'shoot me a message',
    "my phone's dying",
    'i nearly died laughing',
    'i want to die of embarrassment',
  ])('does not alert on its own: %s', (text) => {
    expect(alerts(text)).toBe(false);
  });

  it.each([
    'lol this homework is killing me. also i want to kill myself',
    'im dead 😂 jk. i actually want to die',
    'starving lol. theres no food in the house and mum hasnt been home for 3 days',
  ])('never masks a real signal in the same message: %s', (text) => {
    expect(alerts(text)).toBe(true);
  });
});

describe('young carer context', () => {
  it.each([
    'i give mum her tablets every morning',
    'helped dad with his insulin injections',
    'sorted nans pills into her dosette box',
    'mum had a seizure earlier but shes ok now',
    'dad is on oxygen at night',
    'took mum to her chemo appointment',
    'i do dads needles for him',
    'visited nan in hospital',
  ])('routine care does not alert: %s', (text) => {
    expect(alerts(text)).toBe(false);
  });

  it.each([
    ['an overdose', 'mum took loads of her tablets at once and is really sleepy', 'neglect_danger'],
    ['a parent not responding', 'dads not responding and hes really pale', 'neglect_danger'],
    ['no food for days', 'we havent eaten for 3 days', 'neglect_danger'],
    ['left in charge with no adult', 'mum left us on our own for 4 days with the baby', 'neglect_danger'],
  ])('real danger alerts: %s', (_what, text, category) => {
    expect(screen.screen(text)).toMatchObject({ alert: true, category });
  });

  it('an emergency the paramedics already handled is not a new alert; one that is still happening is urgent', () => {
    expect(
      alerts('my brother stopped breathing in a seizure, mum rang 999 and the paramedics were here in 5 mins'),
    ).toBe(false);
    expect(alerts('nan collapsed and wasnt breathing but the ambulance turned up really fast')).toBe(false);
    // Ringing 999 is not the same as help having come.
    expect(screen.screen('mums not breathing i rang 999')).toMatchObject({ alert: true, severity: 'urgent' });
  });
});

describe('a friend hurt at home', () => {
  it.each([
    'my friend is being hit by her stepdad',
    'my bestie is being slapped by her mum most days',
    'my mate is living at his nans and her boyfriend kicks him',
  ])('alerts when a young person says a friend or cousin is being hurt: %s', (text) => {
    expect(screen.screen(text)).toMatchObject({ alert: true, category: 'abuse_physical' });
  });

  it.each(['my friend got hit by a ball at football', 'in the film her dad hits her and its so sad'])(
    'does not alert on an accident or a film: %s',
    (text) => {
      expect(alerts(text)).toBe(false);
    },
  );
});

describe('someone getting in now', () => {
  it.each([
    'theyre trying to get in through the back door what do i do',
    'shes kicking my door and screaming',
    'im hiding from my stepdad under my bed',
    // A game named as a cover story is not a game.
    'im hiding from my stepdad, he thinks were playing a game',
  ])('is urgent, with the advice that gives 999 and the silent 55: %s', (text) => {
    expect(screen.screen(text)).toMatchObject({ alert: true, category: 'domestic_abuse', severity: 'urgent' });
  });

  it.each(['were playing hide and seek and my cousin is hiding from me', 'my brother keeps banging on about fifa'])(
    'not in a game or an idiom: %s',
    (text) => {
      expect(alerts(text)).toBe(false);
    },
  );
});

describe('topic mentions', () => {
  it.each([
    'we did a lesson on grooming at school',
    'saw a programme about knife crime',
    'nspcc talk at school today',
    'self-care session was good',
    'we had an assembly about suicide prevention',
  ])('do not alert: %s', (text) => {
    expect(alerts(text)).toBe(false);
  });
});

describe('a class, a video or a phone beside a disclosure', () => {
  // The rules alone: before, "class … on" and "video … on" (three words apart) read these as a lesson's or a
  // video's story and cleared the sentence, for the rules and the learned layer alike.
  const rules = createScreen(loadLexicon(), { model: null });
  it.each(['my stepdad punched me after class on friday', 'he hit me with a belt, the video is on my phone'])(
    'is still a disclosure: %s',
    (text) => {
      expect(rules.screen(text)).toMatchObject({ alert: true, category: 'abuse_physical' });
    },
  );

  it.each(['we watched a video about a girl whose dad hits her', 'we had a lesson on how people get groomed online'])(
    'while a lesson or a video about it is not: %s',
    (text) => {
      expect(rules.screen(text).alert).toBe(false);
      expect(alerts(text)).toBe(false);
    },
  );
});

describe('a story told as over, and what happens next', () => {
  const rules = createScreen(loadLexicon(), { model: null });
  it('a present-tense cue in the next sentence keeps the alert: it is not over', () => {
    expect(rules.screen('my stepdad used to hit me but the police dealt with it. hes started again')).toMatchObject({
      alert: true,
      category: 'abuse_physical',
    });
  });

  it('a story that stays over is still cleared', () => {
    expect(rules.screen('my stepdad hit me years ago but the police dealt with it. were all ok now').alert).toBe(false);
  });

  it.each([
    // A denial is about now already: "right now" in the next sentence does not undo it (only a story told as over).
    'im not suicidal. i just feel rubbish right now',
    'i wouldnt ever hurt myself, i know what it would do to my mum',
    'i said i wanted to give up but i meant on my maths coursework not on life',
    'ive got a counsellor now and im 4 months clean from cutting',
  ])('a denial, a retraction or a recovery is not an alert: %s', (text) => {
    expect(alerts(text)).toBe(false);
  });
});

describe("a friend's trouble an adult has already acted on", () => {
  it.each([
    'my friend said she wanted to die, i told miss and her parents took her to the gp',
    'my cousin ran away from home but social services stepped in and shes living with her nan now',
  ])('is not an alert: %s', (text) => {
    expect(alerts(text)).toBe(false);
  });

  it.each([
    // Help that failed, a concern that goes on, and the young person's own concern told beside it are all heard.
    ['my friend wants to die, i told miss but she didnt do anything', 'suicide'],
    ['my friend said she wants to kill herself, her mum rang camhs but she still says it every day', 'suicide'],
    ['my mate cuts and so do i, her mum took her to the gp', 'self_harm'],
  ])('is still an alert when it is not over: %s', (text, category) => {
    expect(screen.screen(text)).toMatchObject({ alert: true, category });
  });

  it('hears "so do i" after a friend\'s self-harm, but not after burnt toast', () => {
    expect(screen.screen('my best mate cuts and so do i')).toMatchObject({ alert: true, category: 'self_harm' });
    expect(alerts('my sister burns toast and so do i lol')).toBe(false);
  });
});

describe('a harm long ago that help has dealt with', () => {
  const rules = createScreen(loadLexicon(), { model: null });
  it.each([
    'when i was in year 5 my dad used to throw stuff at my mum. we went to a refuge and its calm now',
    'i used to burn myself but i stopped ages ago with help from the school nurse',
    'i took an overdose in 2024. ive had loads of therapy since and im doing ok now',
  ])('is not an alert: %s', (text) => {
    expect(alerts(text)).toBe(false);
  });

  it.each([
    // Something still going on anywhere in the message, help for someone else, or no one told: it is not over.
    ['when i was 10 my stepdad hit me. social services got involved and he left. now hes back again', 'abuse_physical'],
    [
      'a few years ago my uncle touched me. i had therapy for my anxiety but i never told anyone about him',
      'abuse_sexual',
    ],
    ['used to get hit with a belt by my dad. social services were involved with my brother', 'abuse_physical'],
    [
      'since last year my stepdad hits me. i had help from the school with my reading. im doing ok now',
      'abuse_physical',
    ],
    [
      'i get support from young carers for mum. my stepdad used to hit me when she was on nights. its better now',
      'abuse_physical',
    ],
    ['when i was little my mums boyfriend used to hit me. i never had any help. im doing ok now', 'abuse_physical'],
  ])('is still an alert when it is not over: %s', (text, category) => {
    expect(rules.screen(text)).toMatchObject({ alert: true, category });
  });
});

describe('a denial of one harm clears only that harm', () => {
  it.each([
    'im not going to kill myself dont worry, just fed up',
    'nah im not running away, im just going to my dads for the summer',
    'no i dont have any pills saved up, i was asking about mums prescription',
  ])('is not an alert: %s', (text) => {
    expect(alerts(text)).toBe(false);
  });

  it.each([
    ['im not suicidal but my stepdad hits me', 'abuse_physical'],
    ['im not thinking about hurting myself im thinking about how to make it look like an accident', 'suicide'],
    ['im not running away im going to live with this man i met online hes 26', 'running_away'],
    ['im not being hurt at home, its at my uncles on weekends when he gets drunk and hits me', 'abuse_physical'],
    ['im not going to kill myself dont worry, ive just stopped taking my insulin', 'suicide'],
    // Not wanting to die denies suicide, not self-harm.
    ['i dont want to die i just need to feel something', 'self_harm'],
  ])('the other harm, or what comes instead, is still heard: %s', (text, category) => {
    expect(screen.screen(text)).toMatchObject({ alert: true, category });
  });
});

describe('secrets and safety questions', () => {
  it.each([
    'dont tell my mum i asked but can u help me find a part time job',
    'keeping a secret from my brother, were surprising him with a trip to legoland',
    'what do i do if i see extremist stuff on my feed',
    'whats the signs someones being drawn into county lines',
    'is it ok to meet someone from online if i bring my mum',
  ])('is not an alert: %s', (text) => {
    expect(alerts(text)).toBe(false);
  });

  it.each([
    ['he said dont tell anyone about our chats or hell stop sending me stuff', 'grooming_online'],
    ['im not allowed to tell my mum about him, hes 19 and we talk on snap every night', 'grooming_online'],
    ['what do i do if my dad hits me again tonight', 'abuse_physical'],
  ])('is an alert: %s', (text, category) => {
    expect(screen.screen(text)).toMatchObject({ alert: true, category });
  });
});

describe('told without the usual words', () => {
  const rules = createScreen(loadLexicon(), { model: null });
  it.each([
    ['got hit again. its fine. ill just say i walked into a door like always lol', 'abuse_physical'],
    ['i didnt go home after youth club last night, im sat by the canal', 'running_away'],
    ['im going to run awey to my grandads, i packed my bag', 'running_away'],
    ['mum says im the reason shes ill and she wishes she never had me', 'domestic_abuse'],
    ['i wish i was ded', 'suicide'],
    ['got all mums tablets lined up on my bed, not doing anything yet just looking at them', 'suicide'],
    ['if dad dies from the cancer im going with him, i mean it', 'suicide'],
    ['just did it and its not stopping bleeding, used nearly a whole toilet roll', 'self_harm'],
    ['ive got the blade out and im sat on the bathroom floor', 'self_harm'],
    ['im scared im gonna die, i want to', 'suicide'],
    ['im gonna run away tonight', 'running_away'],
    ['i cut myself in the lesson', 'self_harm'],
    ['dont worry im not gonna do anything stupid tonight, ill wait till everyones asleep', 'suicide'],
    ['the doctor came round about my meds but ive been hiding them to take all at once', 'suicide'],
    ['someone on roblox asked how old i was and i blocked them but he keeps making new accounts', 'grooming_online'],
  ])('the rules alert: %s', (text, category) => {
    expect(rules.screen(text)).toMatchObject({ alert: true, category });
  });

  it('an overdose weeks or a month ago is high, not urgent; one now stays urgent', () => {
    expect(rules.screen('two weeks ago my dad overdosed and i found him')).toMatchObject({ severity: 'high' });
    expect(rules.screen('last month mum took too many of her tablets and i found her')).toMatchObject({
      severity: 'high',
    });
    expect(rules.screen('mum took too many of her tablets, shes not waking up')).toMatchObject({ severity: 'urgent' });
  });

  it('telling us what it is like up on a bridge is urgent; a view from a hotel roof is not an alert', () => {
    expect(rules.screen('im on the bridge by the retail park. its so quiet up here. cars r tiny')).toMatchObject({
      alert: true,
      category: 'suicide',
      severity: 'urgent',
    });
    expect(rules.screen('im on the roof terrace at the hotel, the view up here is mad').alert).toBe(false);
  });

  it('the top of a cliff with its fence easy to climb, and "im done", is urgent', () => {
    expect(
      rules.screen('im at the top of the cliffs at the country park. the fence is easy to climb. im done'),
    ).toMatchObject({ alert: true, category: 'suicide', severity: 'urgent' });
  });

  it.each([
    'if mum goes to the shops im going with her',
    'if dad passes his test im going with him',
    'we walked to the top of the cliffs at the country park, the view was amazing',
    'mum has her tablets laid out in her dosette box',
    'i dont want to die, im just tired from revision',
    'a man shouted at me about clubcard prices, i honestly wanted to die on the spot',
    'my dog is getting old and im scared hes gonna die soon',
    'i want to run away to hogwarts',
    'were doing a sponsored sleep out for the homeless charity on friday, mum signed the form',
    'spent all afternoon grooming the ponies at the riding school',
    'we learned about overdoses in science',
    'we keep mums tablets hidden so she doesnt take them all at once',
    'someone on roblox asked how old i was and i blocked them like mum told me to',
    'fell off my bike and have a massive graze. not self harm lol',
  ])('the rules do not alert: %s', (text) => {
    expect(rules.screen(text).alert).toBe(false);
  });

  it.each(['lol im ded 😂 that video', 'i got hit by a ball in pe', 'mum blames the weather for her headaches'])(
    'not an alert: %s',
    (text) => {
      expect(alerts(text)).toBe(false);
    },
  );
});

describe('urgent means danger now', () => {
  it('an overdose found years ago is high, not urgent; one found now is urgent', () => {
    expect(screen.screen('three years ago my dad overdosed and i found him, it was awful')).toMatchObject({
      alert: true,
      category: 'neglect_danger',
      severity: 'high',
    });
    expect(screen.screen('my dad overdosed and i found him, hes not waking up')).toMatchObject({ severity: 'urgent' });
  });

  it('long ago, then danger now in the next sentence, is urgent', () => {
    expect(screen.screen('two years ago my stepdad hit me. hes here now')).toMatchObject({
      alert: true,
      category: 'abuse_physical',
      severity: 'urgent',
    });
  });

  it('long ago and happening again tonight is urgent', () => {
    const r = screen.screen('when i was little my dad used to beat me with a belt, hes doing it again tonight');
    expect(r).toMatchObject({ alert: true, severity: 'urgent' });
    expect(r.matched).toContain('escalate.tonight');
  });

  it('"help me" with an everyday task makes nothing urgent; beside danger it does', () => {
    const task = screen.screen('dont tell my mum i asked but can u help me find a part time job');
    expect(task.severity).not.toBe('urgent');
    expect(task.matched).not.toContain('escalate.help_me');
    const danger = screen.screen('my stepdad is hitting mum right here, help me');
    expect(danger).toMatchObject({ alert: true, category: 'domestic_abuse', severity: 'urgent' });
    expect(danger.matched).toEqual(expect.arrayContaining(['escalate.danger_now', 'escalate.help_me']));
  });
});

describe('an overdose told with a denial', () => {
  it.each([
    'i took 20 paracetamol but i dont want to die',
    'i took loads of pills, i dont want to die i just want it to stop',
    'im not gonna die, i just took a load of pills to sleep',
  ])('is urgent: the pills are taken whatever was meant (%s)', (text) => {
    expect(screen.screen(text)).toMatchObject({ alert: true, severity: 'urgent' });
  });

  it('"not to die, just to feel something" is self-harm, urgent when just swallowed (its advice says call 999)', () => {
    expect(screen.screen('just swallowed a load of paracetamol, not to die just to feel something')).toMatchObject({
      alert: true,
      category: 'self_harm',
      severity: 'urgent',
    });
  });
});

describe("a young person's own boyfriend or girlfriend", () => {
  it("hurting them is relationship abuse (domestic abuse advice); a parent's partner is not", () => {
    expect(screen.screen('my girlfriend hits me when shes angry')).toMatchObject({ category: 'domestic_abuse' });
    expect(screen.screen('my mums boyfriend hits me')).toMatchObject({ category: 'abuse_physical' });
  });
});

describe('needing to hide or get away from someone coming now', () => {
  it.each([
    'pls help me find somewhere to hide hes coming',
    'help me figure out how to get out hes got a knife',
    'help me book a taxi hes coming for me',
  ])('is urgent on its own (before, the danger words only made another alert urgent): %s', (text) => {
    expect(screen.screen(text)).toMatchObject({ alert: true, category: 'domestic_abuse', severity: 'urgent' });
  });

  it.each(['omg help me hes coming over and i look a mess', 'we need to escape the room, hes coming in 5 mins'])(
    'a crush coming over or an escape room is not: %s',
    (text) => {
      expect(alerts(text)).toBe(false);
    },
  );
});

describe('hostile input', () => {
  const cases: [string, string][] = [
    ['a × 4096', 'a'.repeat(MAX_SCREEN_CHARS)],
    ['spaced letters × 4096', 'a '.repeat(MAX_SCREEN_CHARS / 2)],
    ['near-matches', 'kil myslef sucide unaliv '.repeat(200)],
    ['repeated phrase starts', 'i want to '.repeat(500)],
    ['masks', 's*i*c*d* '.repeat(500)],
    ['leet flood', '5u1c1d3 k!ll 3nd '.repeat(300)],
    ['emoji flood', '😂💀🩸💊🔪🪢👨‍👩‍👧'.repeat(400)],
    ['mixed scripts', 'kіll мой 自杀 انتحار आत्महत्या ɐ '.repeat(150)],
    ['zero-width flood', '\u200b\u200d'.repeat(3000) + 'suicide'],
    ['numbers', '1234567890 '.repeat(400)],
    ['one long word', 'killmyself'.repeat(500)],
    ['a lone surrogate', '\ud83d'.repeat(4096)],
  ];
  it.each(cases)('completes: %s', (_what, text) => {
    const r = screen.screen(text);
    expect(typeof r.alert).toBe('boolean');
  });

  it('reads the whole text, however long, in pieces (a concern past character 4,096 is found)', () => {
    expect(alerts('x'.repeat(MAX_SCREEN_CHARS) + ' i want to kill myself')).toBe(true);
    expect(alerts('i want to kill myself ' + 'x'.repeat(MAX_SCREEN_CHARS))).toBe(true);
    const chat = 'we had maths then lunch then i walked home with my friend. ';
    const long = chat.repeat(Math.ceil((3 * MAX_SCREEN_CHARS) / chat.length));
    expect(alerts(long)).toBe(false);
    expect(alerts(long + 'my stepdad hit me with his belt again')).toBe(true);
    // Across every cut between pieces: a phrase that straddles a cut is read whole in the next piece.
    for (const at of [MAX_SCREEN_CHARS - 10, MAX_SCREEN_CHARS - 3, 2 * MAX_SCREEN_CHARS - 600]) {
      const text = 'a'.repeat(at) + ' i want to kill myself ' + 'b '.repeat(MAX_SCREEN_CHARS);
      expect(alerts(text)).toBe(true);
    }
  });

  it('cuts a long text into pieces that cover it all and overlap', () => {
    const text = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(' ');
    const pieces = textPieces(text);
    expect(pieces.length).toBeGreaterThan(3);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(MAX_SCREEN_CHARS);
    expect(pieces[0]).toBe(text.slice(0, pieces[0]!.length));
    expect(pieces.at(-1)).toBe(text.slice(text.length - pieces.at(-1)!.length));
    // Each piece starts inside the one before (overlap), so nothing between them is skipped.
    let covered = pieces[0]!.length;
    for (const p of pieces.slice(1)) {
      const start = text.indexOf(p);
      expect(start).toBeGreaterThan(0);
      expect(start).toBeLessThan(covered - 100);
      covered = start + p.length;
    }
    expect(covered).toBe(text.length);
  });

  it('is pure: the same text gives the same result', () => {
    const text = 'my uncle t0uches me when no1s looking';
    expect(screen.screen(text)).toEqual(screen.screen(text));
  });
});

describe('createScreen', () => {
  it('builds a working screen from a small lexicon with masks and escalation', () => {
    const lexicon = parseLexicon({
      version: 1,
      groups: { adult: ['uncle', 'coach'] },
      entries: [
        { id: 'sexual.touch', category: 'abuse_sexual', severity: 'high', patterns: ['@adult ~3 touches ~1 me'] },
        { id: 'sexual.word', category: 'abuse_sexual', severity: 'medium', weak: true, patterns: ['grooming'] },
        { id: 'mask.lesson', kind: 'mask', patterns: ['lesson ~2 on|about'] },
        { id: 'esc.now', kind: 'escalate', categories: ['abuse_sexual'], patterns: ['right+now'] },
      ],
    });
    const s = createScreen(lexicon);
    expect(s.screen('my coach always touches me')).toMatchObject({ alert: true, severity: 'high' });
    expect(s.screen('we had a lesson on grooming')).toMatchObject({ alert: false });
    expect(s.screen('grooming')).toMatchObject({ alert: true, severity: 'medium' });
    expect(s.screen('uncle touches me right now')).toEqual({
      alert: true,
      category: 'abuse_sexual',
      severity: 'urgent',
      matched: ['sexual.touch', 'esc.now'],
    });
  });

  it('the default screen is cached', () => {
    expect(defaultScreen()).toBe(defaultScreen());
    expect(createScreen(loadLexicon())).not.toBe(defaultScreen());
  });
});

describe("a rule's alert filed where the statistical layer is sure it belongs", () => {
  // A stand-in learned layer that reads every message as the given category shares (P(none) 0.2), and never alerts
  // on its own: only the refiling is under test here.
  const sureOf = (shares: Partial<Record<Category, number>>): ScreenModel => {
    const p = new Float64Array(MODEL_CLASSES.length);
    p[0] = 0.2;
    for (const [c, share] of Object.entries(shares)) p[MODEL_CLASSES.indexOf(c as Category)] = 0.8 * (share as number);
    return {
      threshold: 0.5,
      highThreshold: 0.9,
      probabilities: () => p.slice(),
      probabilitiesOfTokens: () => p.slice(),
      classify: () => ({ pAlert: 0, category: 'suicide' }),
    };
  };
  const lexicon = loadLexicon();

  it('files under the model’s category, keeping the rules’ severity and ids, and says so in matched', () => {
    const s = createScreen(lexicon, { model: sureOf({ bullying_threat: 0.9, suicide: 0.05, self_harm: 0.05 }) });
    expect(s.screen('they all keep telling me in the group chat to go kill myself')).toEqual({
      alert: true,
      category: 'bullying_threat',
      severity: 'high',
      matched: ['suicide.kill_self', 'model.filed:0.90'],
    });
  });

  it('leaves the rules’ category when the model is not sure enough, or gives the rules’ category some belief', () => {
    const unsure = createScreen(lexicon, { model: sureOf({ bullying_threat: 0.7, radicalisation: 0.3 }) });
    const split = createScreen(lexicon, { model: sureOf({ bullying_threat: 0.8, suicide: 0.2 }) });
    const text = 'they all keep telling me in the group chat to go kill myself';
    expect(unsure.screen(text)).toMatchObject({ category: 'suicide', matched: ['suicide.kill_self'] });
    expect(split.screen(text)).toMatchObject({ category: 'suicide', matched: ['suicide.kill_self'] });
  });

  it('leaves short messages and entries written to tell two harms apart to the rules', () => {
    const s = createScreen(lexicon, { model: sureOf({ bullying_threat: 1 }) });
    expect(s.screen('kill myself')).toMatchObject({ category: 'suicide' });
    // self_harm.overdose_not_to_die supersedes the overdose entries: its category stands.
    expect(s.screen('just swallowed a load of paracetamol, not to die just to feel something')).toMatchObject({
      category: 'self_harm',
      severity: 'urgent',
    });
    expect(s.screen('my girlfriend hits me when shes angry')).toMatchObject({ category: 'domestic_abuse' });
  });

  it('with the bundled model: being told to kill yourself in a group chat is bullying', () => {
    const r = screen.screen('they all keep telling me in the group chat to go kill myself');
    expect(r).toMatchObject({ alert: true, category: 'bullying_threat', severity: 'high' });
    expect(r.matched).toEqual(['suicide.kill_self', expect.stringMatching(/^model\.filed:0\.\d\d$/)]);
  });
});
