import { safeguardingReply } from '../../src/flows/safeguarding/reply';

describe('the young person’s reply to a concern', () => {
  const all = (t: string) => {
    expect(t).toContain('0800 1111');
    expect(t).toContain('85258');
    expect(t).toContain('116 123');
    expect(t).toContain('999');
    expect(t).toMatch(/might need to tell someone else/);
  };
  /** `first` and `then` are both in `t`, `first` before `then` (a missing one fails, not passes). */
  const inOrder = (t: string, first: string, then: string) => {
    expect(t).toContain(first);
    expect(t).toContain(then);
    expect(t.indexOf(first)).toBeLessThan(t.indexOf(then));
  };

  it('in office hours: thanks them, says a youth worker will be in touch, gives the helplines', () => {
    const t = safeguardingReply({ urgent: false, open: true, nextOpening: 'tomorrow after 9am' });
    all(t);
    inOrder(t, 'Thank you', 'Childline');
    expect(t).toMatch(/get in touch as soon as they can/);
  });

  it('out of hours: helplines first and an honest time for when someone will read it', () => {
    const t = safeguardingReply({ urgent: false, open: false, nextOpening: 'on Monday after 9am' });
    all(t);
    inOrder(t, 'Childline', 'Thank you');
    expect(t).toMatch(/will read this on Monday after 9am/);
  });

  it('urgent: 999 comes first, including for someone who cannot be woken', () => {
    const t = safeguardingReply({ urgent: true, open: true, nextOpening: 'x' });
    all(t);
    expect(t.startsWith('If you or someone with you is in danger')).toBe(true);
    expect(t).toMatch(/can’t be woken up, call 999 now/);
  });
});
