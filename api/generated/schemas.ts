// Generated from openapi.json beside this file by `npm run contracts:generate`: do not edit.
// Regenerate after the API changes, and commit it with the specs it breaks (docs/contracts.md).

import * as z from 'zod';

/**
 * An error: a stable code to branch on and a message for people.
 */
export const zProblem = z.object({
  code: z.string(),
  message: z.string(),
});

export const zUser = z.object({
  id: z.string(),
  email: z.email(),
  role: z.enum(['user', 'admin']),
  createdAt: z.iso.datetime({ offset: true }),
});

/**
 * An image generation task. Retry-After comes with it while it is queued or processing.
 */
export const zTask = z.object({
  id: z.string(),
  status: z.enum(['queued', 'processing', 'completed', 'failed']),
  progress: z.int().gte(0).lte(100),
  queuePosition: z.int().gte(1).nullable(),
  prompt: z.string(),
  size: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  completedAt: z.iso.datetime({ offset: true }).nullable(),
  failedAt: z.iso.datetime({ offset: true }).nullable(),
  result: z
    .object({
      images: z.array(
        z.object({
          url: z.url(),
          width: z.int(),
          height: z.int(),
        }),
      ),
    })
    .nullable(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
    })
    .nullable(),
});

/**
 * The webhook of a finished image generation task (Standard Webhooks). `data` holds what GET /api/v1/tasks/{id} says of the task: completedAt and result, or failedAt and error.
 */
export const zWebhookEvent = z.object({
  type: z.enum(['image.generation.completed', 'image.generation.failed']),
  timestamp: z.iso.datetime({ offset: true }),
  data: z.union([
    z.object({
      taskId: z.string(),
      status: z.enum(['completed']),
      completedAt: z.iso.datetime({ offset: true }),
      result: z.object({
        images: z.array(
          z.object({
            url: z.url(),
            width: z.int(),
            height: z.int(),
          }),
        ),
      }),
    }),
    z.object({
      taskId: z.string(),
      status: z.enum(['failed']),
      failedAt: z.iso.datetime({ offset: true }),
      error: z.object({
        code: z.string(),
        message: z.string(),
      }),
    }),
  ]),
});

/**
 * An error of the token endpoint (RFC 6749, section 5.2).
 */
export const zOAuthError = z.object({
  error: z.enum(['invalid_request', 'invalid_client', 'unsupported_grant_type']),
  error_description: z.string(),
});

/**
 * The service is up.
 */
export const zGetHealthResponse = z.object({
  status: z.enum(['ok']),
});

export const zSignUpBody = z.object({
  email: z.email().max(200),
  password: z.string().min(8).max(200),
});

/**
 * The new user.
 */
export const zSignUpResponse = zUser;

/**
 * The account the credentials act as.
 */
export const zGetCurrentUserResponse = zUser;

export const zDeleteUserPath = z.object({
  id: z.string(),
});

/**
 * Deleted.
 */
export const zDeleteUserResponse = z.void();

/**
 * Every account.
 */
export const zListUsersResponse = z.object({
  users: z.array(zUser),
});

export const zCreateUserBody = z.object({
  email: z.email().max(200),
  password: z.string().min(8).max(200),
});

/**
 * The new user.
 */
export const zCreateUserResponse = zUser;

export const zLoginBody = z.object({
  email: z.email().max(200),
  password: z.string().min(1).max(200),
});

/**
 * A signed token that expires.
 */
export const zLoginResponse = z.object({
  token: z.string(),
  tokenType: z.enum(['Bearer']),
  expiresIn: z.int(),
});

export const zRequestOAuthTokenBody = z.object({
  grant_type: z.enum(['client_credentials']),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
});

/**
 * The access token.
 */
export const zRequestOAuthTokenResponse = z.object({
  access_token: z.string(),
  token_type: z.enum(['Bearer']),
  expires_in: z.int(),
  scope: z.string().optional(),
});

export const zJoinEnterpriseBody = z.object({
  enterprise: z.string().min(1).max(100),
});

/**
 * Accepted; provisioning has been queued.
 */
export const zJoinEnterpriseResponse = z.object({
  code: z.literal(200),
  msg: z.enum(['success']),
});

/**
 * The provisioning sentinel: what has been provisioned so far.
 */
export const zGetAssetsResponse = z.object({
  status: z.enum(['not-joined', 'provisioning', 'ready']),
  enterprise: z.string().nullable(),
  space: z
    .object({
      id: z.string(),
      name: z.string(),
    })
    .nullable(),
  certificate: z
    .object({
      id: z.string(),
      fingerprint: z.string(),
      expiresAt: z.iso.datetime({ offset: true }),
    })
    .nullable(),
  assets: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['template', 'quota', 'storage']),
      name: z.string(),
    }),
  ),
  requestedAt: z.iso.datetime({ offset: true }).nullable(),
  readyAt: z.iso.datetime({ offset: true }).nullable(),
});

export const zCreateImageGenerationBody = z.object({
  prompt: z.string().min(1).max(1000),
  size: z.enum(['256x256', '512x512', '1024x1024']).optional(),
  n: z.int().gte(1).lte(4).optional(),
  callbackUrl: z
    .url()
    .max(2000)
    .regex(/^https?:\/\//)
    .optional(),
});

/**
 * The task was queued.
 */
export const zCreateImageGenerationResponse = z.object({
  taskId: z.string(),
  status: z.enum(['queued', 'processing']),
  createdAt: z.iso.datetime({ offset: true }),
});

export const zGetTaskPath = z.object({
  id: z.string(),
});

/**
 * The task.
 */
export const zGetTaskResponse = zTask;

export const zStreamTaskEventsPath = z.object({
  id: z.string(),
});

/**
 * The event stream of the task.
 */
export const zStreamTaskEventsResponse = z.string();

export const zStreamTaskPath = z.object({
  id: z.string(),
});

/**
 * The console, starting.
 */
export const zCreateConsoleResponse = z.object({
  id: z.string(),
  status: z.enum(['starting', 'ready', 'closed']),
  channel: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  readyAt: z.iso.datetime({ offset: true }).nullable(),
});

export const zGetConsolePath = z.object({
  id: z.string(),
});

/**
 * The console.
 */
export const zGetConsoleResponse = z.object({
  id: z.string(),
  status: z.enum(['starting', 'ready', 'closed']),
  channel: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  readyAt: z.iso.datetime({ offset: true }).nullable(),
});

export const zOpenConsoleChannelPath = z.object({
  id: z.string(),
});

export const zOpenConsoleChannelQuery = z.object({
  access_token: z.string().optional(),
});

/**
 * The signing secret of the account of the caller.
 */
export const zGetWebhookSigningSecretResponse = z.object({
  secret: z.string().regex(/^whsec_/),
});

export const zCreateExportBody = z.object({
  format: z.enum(['csv', 'json']),
});

/**
 * The finished export.
 */
export const zCreateExportResponse = z.object({
  exportId: z.string(),
  format: z.enum(['csv', 'json']),
  rows: z.int(),
  startedAt: z.iso.datetime({ offset: true }),
  completedAt: z.iso.datetime({ offset: true }),
});

/**
 * The exports of the caller in flight.
 */
export const zGetExportsInFlightResponse = z.object({
  inFlight: z.int(),
  limit: z.int(),
});
