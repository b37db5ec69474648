import { z } from 'zod';
import { tcpPort } from './core';

/** Where the webhook receiver listens and how the API under test reaches it (docs/push.md). */
export const WebhookSettings = z.object({
  WEBHOOK_PUBLIC_URL: z
    .string()
    .refine(
      (url) => /^https?:\/\//.test(url) && URL.canParse(url.replaceAll('{port}', '1').replaceAll('{worker}', '0')),
      {
        error: 'expected an http(s) URL such as https://hooks.example.com, with {worker} or {port} where they vary',
      },
    )
    .optional(),
  WEBHOOK_PORT: tcpPort.optional(),
  WEBHOOK_LISTEN_HOST: z.string().min(1).default('127.0.0.1'),
});
