import { userInfo } from 'node:os';
import { z } from 'zod';
import type { MemberStore } from '../domain/members';
import { buildMembers } from '../compose/members';
import { forgetMember } from '../domain/members/forget';
import { CliError, openStore, parseOptions, printJson } from './support';

const USAGE = `haven members add --name NAME --consent-by NAME [--consent-at ISO-DATE] [--added-by NAME]
       haven members list
       haven members show --id MEMBER_ID
       haven members code --id MEMBER_ID      (a new join code; the old one stops working)
       haven members remove --id MEMBER_ID`;

const name = (what: string) =>
  z
    .string({ message: `required: ${what}` })
    .trim()
    .min(1, `must not be empty (${what})`)
    .max(80, 'must be at most 80 characters');
const id = z.string({ message: 'required: the member id' }).uuid('must be a member id (a UUID from "members add")');

function who(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** `haven members add|list|show|code|remove`. `add` prints exactly one JSON line {"memberId","joinCode"}. */
export async function membersCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add': {
      const o = parseOptions(
        rest,
        z.object({
          name: name('the young person’s name'),
          'consent-by': name('who gave consent (the parent or guardian)'),
          'consent-at': z.iso
            .datetime({ offset: true, message: 'must be an ISO date-time' })
            .or(z.iso.date())
            .optional(),
          'added-by': name('who is adding them').optional(),
        }),
        USAGE,
      );
      return withMembers(async (members) => {
        const out = await members.add({
          name: o.name,
          consentBy: o['consent-by'],
          consentAt: o['consent-at'] ? Date.parse(o['consent-at']) : undefined,
          addedBy: o['added-by'] ?? who(),
        });
        printJson({ memberId: out.memberId, joinCode: out.joinCode });
        return 0;
      });
    }
    case 'list': {
      parseOptions(rest, z.object({}), USAGE);
      return withMembers(async (members) => {
        for (const m of await members.list()) printJson(view(m));
        return 0;
      });
    }
    case 'show': {
      const o = parseOptions(rest, z.object({ id }), USAGE);
      return withMembers(async (members) => {
        const m = await members.get(o.id);
        if (!m) throw new CliError(`No member with id ${o.id}.`);
        printJson(view(m));
        return 0;
      });
    }
    case 'code': {
      const o = parseOptions(rest, z.object({ id }), USAGE);
      return withMembers(async (members) => {
        if (!(await members.get(o.id))) throw new CliError(`No member with id ${o.id}.`);
        printJson({ memberId: o.id, joinCode: await members.issueCode(o.id) });
        return 0;
      });
    }
    case 'remove': {
      const o = parseOptions(rest, z.object({ id }), USAGE);
      // The request service (queues, BullMQ) loads only for remove.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { openRequestService } = require('./requests') as typeof import('./requests');
      const svc = await openRequestService();
      try {
        const out = await forgetMember({ members: svc.members, requests: svc.requests, groups: svc.groups }, o.id, {
          removeRecord: true,
          notifyStaff: false,
        });
        if (!out) throw new CliError(`No member with id ${o.id}.`);
        printJson({
          memberId: o.id,
          removed: true,
          links: out.links.length,
          requests: out.requests,
          groupPlaces: out.groups,
        });
        return 0;
      } finally {
        await svc.close();
      }
    }
    default:
      process.stderr.write(`Usage: ${USAGE}\n`);
      return 2;
  }
}

async function withMembers(run: (members: MemberStore) => Promise<number>): Promise<number> {
  const store = await openStore();
  try {
    return await run(buildMembers(store.config, store.redis, store.keys));
  } finally {
    await store.close();
  }
}

function view(m: NonNullable<Awaited<ReturnType<MemberStore['get']>>>) {
  return {
    memberId: m.id,
    name: m.name,
    consentBy: m.consentBy,
    consentAt: new Date(m.consentAt).toISOString(),
    addedBy: m.addedBy,
    createdAt: new Date(m.createdAt).toISOString(),
    linkedChats: m.links.length,
    joinCodeExpiresAt: m.joinCodeExpiresAt ? new Date(m.joinCodeExpiresAt).toISOString() : null,
  };
}
