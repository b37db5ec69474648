import { z } from 'zod';

// A nonconforming answer is noted on its test: an annotation, and an attachment that the API summary
// counts, named after the call as its request and response attachments are (`GET /x nonconforming`).

export const NONCONFORMING_ANNOTATION = 'nonconforming response';
const SUFFIX = ' nonconforming';

export function nonconformityAttachmentName(found: { method: string; path: string }): string {
  return `${found.method} ${found.path}${SUFFIX}`;
}

const Reported = z.object({
  operation: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.int(),
  kind: z.string(),
  summary: z.string(),
});
export type ReportedNonconformity = z.infer<typeof Reported>;

type Attachment = { name: string; contentType: string; body?: Buffer };

/** The nonconformities among a test's attachments; other attachments, and unreadable ones, are passed over. */
export function nonconformitiesFromAttachments(attachments: readonly Attachment[]): ReportedNonconformity[] {
  return attachments.flatMap((attachment) => {
    if (!attachment.name.endsWith(SUFFIX) || !attachment.body) return [];
    try {
      const parsed = Reported.safeParse(JSON.parse(attachment.body.toString('utf8')));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}
