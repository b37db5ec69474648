import path from 'node:path';
import dotenv from 'dotenv';
import { buildApp } from './app';
import { parseDemoConfig } from './config';

// The demo's own settings; variables already set (by the shell or by Playwright) win.
dotenv.config({ path: path.join(__dirname, 'demo.env'), quiet: true });

let config;
try {
  // PORT is how the starter's config tells an embedded API where to listen (EMBEDDED_API_PORT).
  config = parseDemoConfig({ ...process.env, DEMO_API_PORT: process.env.PORT || process.env.DEMO_API_PORT });
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}

const app = buildApp(config);
const stop = () => {
  void app.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

app.listen({ port: config.port, host: '127.0.0.1' }).then(
  (address) => {
    const faults = config.faults.size > 0 ? [...config.faults].join(', ') : 'none';
    console.log(`Demo API listening on ${address} (faults: ${faults}, latency scale: ${config.latencyScale})`);
  },
  (error: Error) => {
    console.error(`Demo API could not listen on port ${config.port}: ${error.message}`);
    process.exit(1);
  },
);
