import { defineReplayConfig } from '../helpers/replay/rules';

// What a suite run records (RECORDING_FILE=…), and how a replay compares the candidate's answers
// with the baseline's. Paths in `ignore`, `unordered` and `tolerance` are patterns:
// `createdAt`, `result.images[*].url`, `**.updatedAt` (at any depth).
export const replayRules = defineReplayConfig({
  record: {
    readMethods: ['GET', 'HEAD'],
    include: ['/health', '/api/**'],
    // Test controls, and lists that grow with every test's fresh users, say nothing about a release.
    exclude: ['/__demo/**', '/api/v1/admin/**'],
    // A generation only creates a task for the replaying user: safe to replay on a test environment,
    // and needed so that the task reads after it have a task to read. Never list writes that change
    // shared data.
    writes: ['POST /api/v1/images/generations'],
    // Fresh users exist only where they were created; the roles exist everywhere.
    identities: ['anonymous', 'user', 'admin'],
    sampleRate: 1,
  },
  compare: {
    default: {},
    endpoints: {
      'GET /api/v1/users/me': { ignore: ['id', 'createdAt'] },
      'POST /api/v1/images/generations': { ignore: ['taskId', 'createdAt'], capture: ['taskId'] },
      // A replay polls at its own moments: the state of a task is compared in shape, not in value.
      'GET /api/v1/tasks/:id': {
        ignore: ['id', 'createdAt', 'status', 'progress', 'completedAt', 'failedAt', 'result', 'error'],
      },
      'GET /api/v1/assets': {
        ignore: ['requestedAt', 'readyAt', 'space.id', 'certificate', 'assets[*].id'],
        unordered: ['assets'],
      },
      'GET /api/v1/exports/in-flight': { tolerance: { inFlight: 3 } },
    },
  },
});
