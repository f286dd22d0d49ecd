/** The member a conversation is linked to, if any. */
export interface MemberRef {
  id: string;
  name: string;
}

/** Looks up which member (if any) a conversation is linked to. */
export interface MemberLookup {
  forConversation(conversationId: string): Promise<MemberRef | null>;
}
