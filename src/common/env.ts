import { z } from 'zod';

/** An environment variable `"true"`/`"false"` (and 1/0, yes/no) as a boolean; anything else is an error naming the value. */
export const envBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
