// JSON schemas of the responses. They document the API (GET /openapi.json) and never filter what is
// sent: the serializer is plain JSON.stringify, so that a fault such as schema-drift goes out as it is.

export const dateTime = { type: 'string', format: 'date-time' } as const;
export const nullable = <T extends object>(schema: T) => ({ anyOf: [schema, { type: 'null' }] });

export const emailSchema = { type: 'string', format: 'email', maxLength: 200 } as const;

const taskResult = {
  type: 'object',
  required: ['images'],
  properties: {
    images: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url', 'width', 'height'],
        properties: {
          url: { type: 'string', format: 'uri' },
          width: { type: 'integer' },
          height: { type: 'integer' },
        },
      },
    },
  },
} as const;

const taskError = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
} as const;

/** Schemas added with addSchema; a route refers to one as `{ $ref: '<$id>#' }`. */
export const SHARED_SCHEMAS = [
  {
    $id: 'Problem',
    description: 'An error: a stable code to branch on and a message for people.',
    type: 'object',
    required: ['code', 'message'],
    properties: {
      code: { type: 'string', examples: ['INVALID_REQUEST'] },
      message: { type: 'string' },
    },
  },
  {
    $id: 'User',
    type: 'object',
    required: ['id', 'email', 'role', 'createdAt'],
    properties: {
      id: { type: 'string' },
      email: { type: 'string', format: 'email' },
      role: { type: 'string', enum: ['user', 'admin'] },
      createdAt: dateTime,
    },
  },
  {
    $id: 'Task',
    description: 'An image generation task. Retry-After comes with it while it is queued or processing.',
    type: 'object',
    required: [
      'id',
      'status',
      'progress',
      'queuePosition',
      'prompt',
      'size',
      'createdAt',
      'completedAt',
      'failedAt',
      'result',
      'error',
    ],
    properties: {
      id: { type: 'string' },
      status: { type: 'string', enum: ['queued', 'processing', 'completed', 'failed'] },
      progress: { type: 'integer', minimum: 0, maximum: 100 },
      queuePosition: {
        type: ['integer', 'null'],
        minimum: 1,
        description: 'While queued, the place in the queue for a worker: 1 for the next one taken; null otherwise.',
      },
      prompt: { type: 'string' },
      size: { type: 'string' },
      createdAt: dateTime,
      completedAt: nullable(dateTime),
      failedAt: nullable(dateTime),
      result: nullable(taskResult),
      error: nullable(taskError),
    },
  },
  {
    $id: 'WebhookEvent',
    description:
      'The webhook of a finished image generation task (Standard Webhooks). `data` holds what ' +
      'GET /api/v1/tasks/{id} says of the task: completedAt and result, or failedAt and error.',
    type: 'object',
    required: ['type', 'timestamp', 'data'],
    properties: {
      type: { type: 'string', enum: ['image.generation.completed', 'image.generation.failed'] },
      timestamp: { ...dateTime, description: 'When the message was first sent.' },
      data: {
        oneOf: [
          {
            type: 'object',
            required: ['taskId', 'status', 'completedAt', 'result'],
            properties: {
              taskId: { type: 'string' },
              status: { type: 'string', const: 'completed' },
              completedAt: dateTime,
              result: taskResult,
            },
          },
          {
            type: 'object',
            required: ['taskId', 'status', 'failedAt', 'error'],
            properties: {
              taskId: { type: 'string' },
              status: { type: 'string', const: 'failed' },
              failedAt: dateTime,
              error: taskError,
            },
          },
        ],
      },
    },
  },
  {
    $id: 'OAuthError',
    description: 'An error of the token endpoint (RFC 6749, section 5.2).',
    type: 'object',
    required: ['error', 'error_description'],
    properties: {
      error: { type: 'string', enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type'] },
      error_description: { type: 'string' },
    },
  },
] as const;

export const problemResponse = (description: string) => ({ description, $ref: 'Problem#' });

export const INVALID_REQUEST = problemResponse(
  'INVALID_REQUEST: the body, a parameter or the x-demo-faults header is not valid.',
);

/** 400 and 401 of every route that needs credentials. */
export const AUTHENTICATED_PROBLEMS = {
  400: INVALID_REQUEST,
  401: problemResponse(
    'MISSING_TOKEN, INVALID_TOKEN or TOKEN_EXPIRED: no valid token; INVALID_API_KEY: an unknown API key.',
  ),
};

export const FORBIDDEN = problemResponse('FORBIDDEN: the caller may not do this.');

export const TASK_NOT_FOUND = problemResponse('TASK_NOT_FOUND: no such task, or the task of another user.');

/** 426 of a route that must be opened as a WebSocket (see `upgradeRequired`). */
export const UPGRADE_REQUIRED = {
  ...problemResponse('UPGRADE_REQUIRED: the request was no WebSocket upgrade.'),
  headers: { upgrade: { type: 'string', const: 'websocket' } },
};

export const TASK_ID_PARAMS = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;

export const RETRY_AFTER_HEADERS = {
  'retry-after': { type: 'integer', description: 'Seconds to wait before asking again.' },
} as const;

/** The credentials the authenticated routes accept (see `securitySchemes` of the document). */
export const AUTHENTICATED: Array<Record<string, string[]>> = [
  { bearerAuth: [] },
  { apiKeyHeader: [] },
  { oauth2: [] },
];
