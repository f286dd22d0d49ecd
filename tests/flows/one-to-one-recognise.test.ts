import { askedFor, isOneToOneWish, platformIn, workersIn } from '../../src/flows/one-to-one/recognise';

describe('recognising a one-to-one wish in their own words', () => {
  it.each([
    'can I talk to someone',
    '1:1',
    'one to one',
    'One-to-one please',
    '121',
    'speak to a youth worker',
    'can I chat to Terry',
    'can i book a one to one',
    'i want to talk to somebody',
  ])('"%s" is a wish', (text) => expect(isOneToOneWish(text)).toBe(true));

  it.each(['hi', 'I talked to my mum', 'what is 1212', 'can i talk to you', 'staying safe'])('"%s" is not', (text) =>
    expect(isOneToOneWish(text)).toBe(false),
  );

  it('picks out a worker asked for by name, not pronouns', () => {
    expect(askedFor('can I chat to Terry')).toBe('Terry');
    expect(askedFor('could i speak with ana pls')).toBe('Ana');
    expect(askedFor('can I talk to someone')).toBeUndefined();
    expect(askedFor('can I talk to you')).toBeUndefined();
  });

  it('reads platforms and worker preferences from free text', () => {
    expect(platformIn('whatsapp video call')).toBe('whatsapp');
    expect(platformIn('teams')).toBe('teams');
    expect(platformIn('just ring me')).toBe('phone');
    expect(workersIn("don't mind")).toBe('no_preference');
    expect(workersIn('both')).toBe('two');
    expect(workersIn('just one')).toBe('one');
  });
});
