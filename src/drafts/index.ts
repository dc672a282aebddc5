/**
 * Reply drafts: for every `draft` decision a reply, written by the model (or the fixed
 * acknowledgement for payment, legal and VIP mail), threaded under the customer's email and stored
 * in the mailbox's Drafts folder for a person to review — or, in send mode, sent. An outbox filled
 * in the decision's transaction, worked by a handler on the job queue.
 */
export { composeReply, EMAIL_ID_HEADER, replyLanguage, replySubject, replyTarget, threadReferences } from './compose-reply.js';
export { type DraftPreview, type PreviewDraftInput, previewDraft } from './draft-preview.js';
export {
  type ClaimedDraft,
  type DraftContext,
  type DraftPassResult,
  draftEffect,
  draftHandler,
  enqueueDraft,
  startDraftWorker,
  writeDueDraftsNow,
} from './draft-worker.js';
export { type DraftOutcome, draftMessageId } from './process-draft.js';
export { loadStoredMapping, NO_REDACTION, type ReplyPrivacy, replyPrivacy } from './reply-privacy.js';
export { acknowledgementReply, acknowledgementText, createReplyWriter, type ReplyWriter, replyModelConfigured, type WrittenReply } from './write-reply.js';
