import { z } from 'zod';
import { Timestamp } from './common';

export const JoinAccepted = z.object({ code: z.literal(200), msg: z.literal('success') });

const Space = z.object({ id: z.string().min(1), name: z.string().min(1) });
const Certificate = z.object({ id: z.string().min(1), fingerprint: z.string().min(1), expiresAt: Timestamp });
const Asset = z.object({ id: z.string().min(1), kind: z.enum(['template', 'quota', 'storage']), name: z.string() });

/** The provisioning sentinel: what exists so far, and whether everything does. */
export const Assets = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('not-joined'),
    enterprise: z.null(),
    space: z.null(),
    certificate: z.null(),
    assets: z.array(Asset).length(0),
    requestedAt: z.null(),
    readyAt: z.null(),
  }),
  z.object({
    status: z.literal('provisioning'),
    enterprise: z.string(),
    space: Space.nullable(),
    certificate: Certificate.nullable(),
    assets: z.array(Asset),
    requestedAt: Timestamp,
    readyAt: z.null(),
  }),
  z.object({
    status: z.literal('ready'),
    enterprise: z.string(),
    space: Space,
    certificate: Certificate,
    assets: z.array(Asset).min(1),
    requestedAt: Timestamp,
    readyAt: Timestamp,
  }),
]);
export type Assets = z.infer<typeof Assets>;
