import qrcodeTerminal from 'qrcode-terminal';

/** Where pairing instructions for staff go: plain text for a person at the terminal, not JSON logs. */
export type Print = (text: string) => void;

/** Writes to the process's standard error: the terminal staff watch (or `docker compose logs`). */
export const printToTerminal: Print = (text) => {
  process.stderr.write(`${text}\n`);
};

/** The QR code as block characters, small enough for an 80-column terminal. */
export function qrForTerminal(qr: string): Promise<string> {
  return new Promise((resolve) => qrcodeTerminal.generate(qr, { small: true }, resolve));
}

/** Staff instructions around a QR code. */
export function qrInstructions(art: string): string {
  return [
    '',
    'WhatsApp needs linking. On the charity phone: WhatsApp › Settings › Linked devices › Link a device, then scan:',
    art,
    '(The code changes every 20 seconds or so; a new one is printed each time.)',
    '',
  ].join('\n');
}

/** Staff instructions for a pairing code. */
export function codeInstructions(code: string): string {
  const shown = code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
  return [
    '',
    `WhatsApp pairing code: ${shown}`,
    'On the charity phone: WhatsApp › Settings › Linked devices › Link a device › Link with phone number instead, then type the code.',
    '',
  ].join('\n');
}
