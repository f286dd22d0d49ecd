export { MemberStore, MemberNotFoundError, type Member, type MemberWithLinks, type JoinOutcome } from './store';
export { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, normaliseJoinCode } from './join-code';
export { forgetMember } from './forget';
