import { defaultScreen } from './screen';

/**
 * A random code the safeguarding screen does not flag however it is typed: `draw()` makes a code,
 * `typed(code)` lists the ways someone sends it, and a code any of whose forms the screen flags is
 * drawn again (a random code can spell something, and whoever sends it would be answered as if at
 * risk, with staff alerted). Gives up after `maxDraws` with an error naming `what`.
 */
export function unflaggedCode(
  draw: () => string,
  typed: (code: string) => readonly string[],
  maxDraws: number,
  what: string,
): string {
  const screen = defaultScreen();
  for (let i = 0; i < maxDraws; i++) {
    const code = draw();
    if (!typed(code).some((form) => screen.screen(form).alert)) return code;
  }
  throw new Error(
    `no ${what} the safeguarding screen does not flag in ${maxDraws} draws: is the random source broken?`,
  );
}
