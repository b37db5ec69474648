import { z } from 'zod';
import { type Env, settingsOf } from '../env';

export const CONFORMANCE_MODES = ['off', 'report', 'fail'] as const;
export type ConformanceMode = (typeof CONFORMANCE_MODES)[number];

const OpenApiSettings = z.object({
  OPENAPI_DOCUMENT: z.string().trim().min(1, { error: 'expected a URL or a file' }).optional(),
  OPENAPI_CONFORMANCE: z
    .enum(CONFORMANCE_MODES, { error: `expected one of ${CONFORMANCE_MODES.join(', ')}` })
    .default('report'),
});

/** OPENAPI_DOCUMENT: the URL or file of the API's OpenAPI document, if set. */
export function openApiDocumentSetting(env: Env): string | undefined {
  return settingsOf(env, OpenApiSettings).OPENAPI_DOCUMENT;
}

/**
 * Whether and how every response the client fixtures receive is checked against the document:
 * `off` without OPENAPI_DOCUMENT, else OPENAPI_CONFORMANCE (`report` by default).
 */
export function conformanceSettings(env: Env): { document: string; mode: Exclude<ConformanceMode, 'off'> } | undefined {
  const settings = settingsOf(env, OpenApiSettings);
  if (settings.OPENAPI_DOCUMENT === undefined || settings.OPENAPI_CONFORMANCE === 'off') return undefined;
  return { document: settings.OPENAPI_DOCUMENT, mode: settings.OPENAPI_CONFORMANCE };
}
