import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * Browser tests run against the BUILT app (`npm run build` first; scripts/browser-tests.mjs
 * does that) on port 3100, with a fresh data folder loaded with the demo data.
 * Chromium comes from the system (apt-get install -y chromium); Playwright's own
 * browser downloads are not used.
 */
const PORT = Number(process.env.BROWSER_TEST_PORT ?? 3100);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// The config is loaded by the runner and again by each worker; the folder is made once
// and handed down through the environment. test/browser/global-teardown.ts removes it.
process.env.LOCKSTEP_BROWSER_DATA_DIR ??= fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-browser-'));
const dataDir = process.env.LOCKSTEP_BROWSER_DATA_DIR;

/**
 * A second server with data of its own, for test/browser/account-closure.spec.ts: closing a
 * demo partner for good would break the specs that share the first server. Its folder sits
 * inside the first one's, so the global teardown removes both.
 */
const CLOSURE_PORT = Number(process.env.BROWSER_TEST_CLOSURE_PORT ?? 3101);
const closureDataDir = path.join(dataDir, 'closure-server');
fs.mkdirSync(closureDataDir, { recursive: true });

const serverEnv = (port: number, dir: string) => ({
  DATA_DIR: dir,
  PORT: String(port),
  HOST: '127.0.0.1',
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  COOKIE_SECURE: 'false',
  LOG_LEVEL: 'warn',
  // The tests log in many times from one address within a minute.
  RATE_LIMIT_MAX: '10000',
  LOGIN_RATE_LIMIT_MAX: '1000',
  // Tests count rows of the demo data; a scheduled job (crediting a click a test made,
  // locking at a local midnight) must not change them mid-test. Jobs are tested
  // through their services and the API suites.
  JOBS: 'false',
  // Each server its own: the returns channels' listeners stay off unless a spec asks for them.
  SFTP_PORT: '0',
  SMTP_PORT: '0',
});

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '**/*.spec.ts',
  globalTeardown: './test/browser/global-teardown.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: true,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results',
  use: {
    baseURL: BASE_URL,
    viewport: { width: 1360, height: 860 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: 'node dist/src/cli/index.js start',
      url: `${BASE_URL}/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: serverEnv(PORT, dataDir),
    },
    {
      command: 'node dist/src/cli/index.js start',
      url: `http://127.0.0.1:${CLOSURE_PORT}/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: serverEnv(CLOSURE_PORT, closureDataDir),
    },
  ],
});
