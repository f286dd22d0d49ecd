import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultScreen } from '../../src/safeguarding';

/** One hand-written red-team line: a disclosure (`alert`) or a line the screen should let pass. */
export interface RedTeamLine {
  id: string;
  text: string;
  alert: boolean;
}

/** A red-team fixture's lines, split into the disclosures and the rest, with what today's screen makes of them. */
export function redTeam(file: string): {
  disclosures: RedTeamLine[];
  others: RedTeamLine[];
  /** Ids of disclosures the screen raises no alert for. */
  missed(): string[];
  /** Ids of the other lines the screen raises an alert for. */
  raised(): string[];
} {
  const lines = readFileSync(path.join(__dirname, '../fixtures/safeguarding', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as RedTeamLine);
  const alerts = (l: RedTeamLine): boolean => defaultScreen().screen(l.text).alert;
  const disclosures = lines.filter((l) => l.alert);
  const others = lines.filter((l) => !l.alert);
  return {
    disclosures,
    others,
    missed: () => disclosures.filter((l) => !alerts(l)).map((l) => l.id),
    raised: () => others.filter(alerts).map((l) => l.id),
  };
}
