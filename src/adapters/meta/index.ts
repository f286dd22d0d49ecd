/** Shared Meta webhook and Graph API code used by the Messenger and WhatsApp Cloud API adapters. */
export { checkHandshake, type HandshakeResult } from './handshake';
export { SIGNATURE_HEADER, safeEqual, signBody, verifySignature } from './signature';
export { META_BODY_LIMIT, registerMetaWebhook, type MetaWebhookOptions, type WebhookVerdict } from './webhook';
export {
  DEFAULT_RATE_LIMIT_WAIT_MS,
  GRAPH_CODES,
  classifyGraphError,
  graphErrorBody,
  parseRetryAfter,
  type GraphCodeTable,
} from './graph-error';
export { graphEndpoint, postGraph, type GraphEndpoint, type GraphPost } from './graph-client';
export { MESSENGER_TEXT_LIMIT, WHATSAPP_TEXT_LIMIT, splitText } from './split-text';
export { PartProgress } from '../kit/part-progress';
export { DAY_MS, hoursSince } from './window';
