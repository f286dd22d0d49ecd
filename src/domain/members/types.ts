/** The member a conversation is linked to, if any. */
export interface MemberRef {
  id: string;
  name: string;
}

/** Looks up which member (if any) a conversation is linked to. */
export interface MemberLookup {
  /** `linked`: the member id the conversation's link was read to hold, when the caller read it (null: none). */
  forConversation(conversationId: string, linked?: string | null): Promise<MemberRef | null>;
}
