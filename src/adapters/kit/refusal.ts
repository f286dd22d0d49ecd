import { PlatformRefusedError } from '../../common/errors';

/**
 * A send that can never succeed, refused before any request was made (status 0): the sender
 * records it against the person and the queue does not retry it.
 */
export function refusedBeforeSending(message: string, platformCode: string): PlatformRefusedError {
  return new PlatformRefusedError(message, 0, { platformCode, permanent: true });
}

/** The stored address is not one this channel made (a bug or a tampered record): never retried. */
export function badAddress(channelLabel: string): PlatformRefusedError {
  return refusedBeforeSending(`stored address is not a ${channelLabel} address`, 'BAD_ADDRESS');
}

/** True when the platform said this person cannot be reached this way any more. */
export function isPermanentRefusal(err: unknown): err is PlatformRefusedError {
  return err instanceof PlatformRefusedError && err.details.permanent === true;
}
