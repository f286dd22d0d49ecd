import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** An activity from tests/fixtures/botframework, a fresh copy each call. */
export type FixtureActivity = Record<string, unknown> & {
  id?: string;
  type: string;
  channelId: string;
  serviceUrl: string;
  conversation: { id: string } & Record<string, unknown>;
  from: { id: string } & Record<string, unknown>;
  recipient: { id: string } & Record<string, unknown>;
};

/** Loads a Bot Framework activity in its documented shape (tests/fixtures/botframework/NAME.json). */
export function bfFixture(name: string, overrides: Record<string, unknown> = {}): FixtureActivity {
  const a = JSON.parse(
    readFileSync(join(__dirname, '..', 'fixtures', 'botframework', `${name}.json`), 'utf8'),
  ) as FixtureActivity;
  return { ...a, ...overrides };
}
