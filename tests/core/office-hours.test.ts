import { OfficeHours } from '../../src/common/office-hours';

describe('office hours', () => {
  const hours = new OfficeHours('Mon-Fri 09:00-17:00', 'Europe/London');

  it('is open on a weekday afternoon in London (summer time)', () => {
    expect(hours.isOpen(new Date('2026-07-01T13:00:00Z'))).toBe(true); // Wed 14:00 BST
  });
  it('is closed at night and at weekends', () => {
    expect(hours.isOpen(new Date('2026-07-01T21:00:00Z'))).toBe(false);
    expect(hours.isOpen(new Date('2026-07-04T12:00:00Z'))).toBe(false); // Saturday
  });
  it('says when someone will next be in', () => {
    expect(hours.nextOpening(new Date('2026-07-01T05:00:00Z'))).toBe('today after 9am');
    expect(hours.nextOpening(new Date('2026-07-01T21:00:00Z'))).toBe('tomorrow after 9am');
    expect(hours.nextOpening(new Date('2026-07-03T20:00:00Z'))).toBe('on Monday after 9am'); // Friday night
  });
  it('refuses a malformed spec', () => {
    expect(() => new OfficeHours('nine to five', 'Europe/London')).toThrow(/Mon-Fri/);
  });
});
