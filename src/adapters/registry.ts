import type { z } from 'zod';
import type { Adapter } from './kit/adapter';
import type { ChannelDefinition, ChannelDeps } from './kit/channel';
import { botFrameworkChannel } from './botframework/channel';
import { messengerChannel } from './messenger/channel';
import { webchatChannel } from './webchat/channel';
import { whatsAppCloudChannel } from './whatsapp-cloud/channel';
import { whatsAppWebChannel } from './whatsapp-web/channel';

/**
 * Every channel Haven speaks on: one line each. Channel names, the settings schema (src/config),
 * which settings go together, and which adapters run all come from this list. A new channel is a
 * folder exporting a {@link ChannelDefinition} and one line here.
 */
export const CHANNELS = [
  webchatChannel,
  botFrameworkChannel,
  messengerChannel,
  whatsAppCloudChannel,
  whatsAppWebChannel,
] as const satisfies readonly ChannelDefinition[];

/** A list of channels (the registry's, or a test's with one more). */
export type ChannelList = readonly ChannelDefinition[];

/** The name of a channel in the registry. */
export type RegisteredChannelName = (typeof CHANNELS)[number]['name'];

type SettingsOf<C> = C extends ChannelDefinition<infer S> ? z.infer<z.ZodObject<S>> : never;
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/** Every registered channel's settings, parsed (part of `Config`). */
export type ChannelSettings = UnionToIntersection<SettingsOf<(typeof CHANNELS)[number]>>;

/** The channels' names. */
export function channelNames(channels: ChannelList = CHANNELS): string[] {
  return channels.map((c) => c.name);
}

/** One zod shape holding every channel's settings (config merges it into the one schema). */
export function channelSettingsShape(channels: ChannelList = CHANNELS): z.ZodRawShape {
  return Object.assign({}, ...channels.map((c) => c.settings)) as z.ZodRawShape;
}

/** Problems with settings that go together, on what was given: each missing one named. */
export function channelSettingsProblems(
  given: Readonly<Record<string, string | undefined>>,
  channels: ChannelList = CHANNELS,
): string[] {
  const problems: string[] = [];
  for (const c of channels) {
    for (const g of c.together ?? []) {
      const set = g.names.filter((n) => given[n] !== undefined);
      if (set.length > 0 && set.length < g.names.length) {
        const missing = g.names.filter((n) => !set.includes(n));
        problems.push(
          `${missing.join(', ')}: needed for ${g.label} because ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set`,
        );
      }
    }
    problems.push(...(c.check?.(given) ?? []));
  }
  return problems;
}

/** What {@link buildAdapters} needs besides the settings. `log` is tagged per channel here. */
export type AdapterDeps = ChannelDeps;

/** One adapter for every channel its settings turn on, in registry order. */
export function buildAdapters(
  settings: Readonly<Record<string, unknown>>,
  deps: AdapterDeps,
  channels: ChannelList = CHANNELS,
): Adapter[] {
  const adapters: Adapter[] = [];
  for (const c of channels) {
    const own = settings as z.infer<z.ZodObject<z.ZodRawShape>>;
    if (!c.enabled(own, { production: settings.NODE_ENV === 'production' })) {
      if (c.offReason) deps.log.info({ channel: c.name }, c.offReason(own));
      continue;
    }
    adapters.push(c.create(own, { ...deps, log: deps.log.child({ channel: c.name }) }));
  }
  return adapters;
}
