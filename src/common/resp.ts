import { Command } from 'ioredis';

/**
 * ioredis writes each command as RESP text built by string concatenation: for every argument
 * `'$' + byteLength + '\r\n' + arg + '\r\n'` added to the command so far, five or six heap strings
 * an argument, then flattened into one more copy when written to the socket. A BullMQ script call
 * has 20-30 arguments and a message takes about ten commands: some 30 KB of V8 heap a message
 * (a third of what Haven allocates outside BullMQ). {@link encodeCommand} writes the same bytes
 * straight into one Buffer (outside the V8 heap; small ones come from Node's shared pool).
 */

/** Decimal digits of a non-negative integer. */
function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** Writes `n` (a non-negative integer) in decimal at `at`; returns the offset after it. */
function putInt(buf: Buffer, at: number, n: number): number {
  const end = at + digits(n);
  for (let i = end - 1; i >= at; i--) {
    buf[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return end;
}

const CR = 13;
const LF = 10;
/** Byte lengths of the arguments of the command being encoded (reused: encoding is synchronous). */
const lengths: number[] = [];

/**
 * The RESP bytes of a command named `name` with `args` (each a string or a Buffer): byte for byte
 * what ioredis's `Command#toWritable` writes, in one Buffer. Strings are written as UTF-8, as the
 * socket writes ioredis's text (a lone surrogate becomes U+FFFD in both, counted as its 3 bytes).
 */
export function encodeCommand(name: string, args: readonly (string | Buffer)[]): Buffer {
  const n = args.length;
  const nameBytes = Buffer.byteLength(name);
  let size = 1 + digits(n + 1) + 2 + 1 + digits(nameBytes) + 2 + nameBytes + 2;
  for (let i = 0; i < n; i++) {
    const arg = args[i] as string | Buffer;
    const len = typeof arg === 'string' ? Buffer.byteLength(arg) : arg.length;
    lengths[i] = len;
    size += 1 + digits(len) + 2 + len + 2;
  }
  const buf = Buffer.allocUnsafe(size);
  let at = 0;
  buf[at++] = 42; // '*'
  at = putInt(buf, at, n + 1);
  buf[at++] = CR;
  buf[at++] = LF;
  buf[at++] = 36; // '$'
  at = putInt(buf, at, nameBytes);
  buf[at++] = CR;
  buf[at++] = LF;
  at += buf.write(name, at, nameBytes, 'utf8');
  buf[at++] = CR;
  buf[at++] = LF;
  for (let i = 0; i < n; i++) {
    const arg = args[i] as string | Buffer;
    const len = lengths[i] as number;
    buf[at++] = 36;
    at = putInt(buf, at, len);
    buf[at++] = CR;
    buf[at++] = LF;
    if (typeof arg === 'string') at += buf.write(arg, at, len, 'utf8');
    else at += arg.copy(buf, at);
    buf[at++] = CR;
    buf[at++] = LF;
  }
  return buf;
}

interface WritableCommand {
  name: string;
  args: unknown[];
  toWritable(socket: unknown): string | Buffer;
}

let installed = false;
/** ioredis's own `toWritable`, kept when {@link installRespEncoder} replaces it. */
const ioredisWritable = (Command.prototype as unknown as WritableCommand).toWritable;

/** A command's RESP as ioredis itself writes it (tests compare the encoder with it). */
export function ioredisEncoding(command: Command): Buffer {
  const out = ioredisWritable.call(command as unknown as WritableCommand, undefined);
  return Buffer.isBuffer(out) ? out : Buffer.from(out, 'utf8');
}

/**
 * Makes every ioredis command (Haven's and BullMQ's, on every connection, pipelines included) write
 * its RESP with {@link encodeCommand}. A command holding an argument that is neither a string nor a
 * Buffer (ioredis turns every other value into a string before it is written) is left to ioredis.
 * Idempotent.
 */
export function installRespEncoder(): void {
  if (installed) return;
  // This replaces a method inside ioredis. If an upgrade renames or removes it, ioredis keeps writing its own RESP
  // (nothing is patched) and tests/core/resp.test.ts fails, which is the signal to look again.
  if (typeof ioredisWritable !== 'function') return;
  installed = true;
  const proto = Command.prototype as unknown as WritableCommand;
  const original = ioredisWritable;
  proto.toWritable = function (this: WritableCommand, socket: unknown): string | Buffer {
    const args = this.args;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg !== 'string' && !Buffer.isBuffer(arg)) return original.call(this, socket);
    }
    return encodeCommand(this.name, args as (string | Buffer)[]);
  };
}
