import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { defineConfig, devices } from '@playwright/test'
import { DESKTOP_ONLY, PHONE_ONLY } from './tests/browser/audiences'

// One local stack for the run, started as `make run` starts it, on a free port. The port is chosen
// once, in the main process, and handed to the workers through the environment.
const root = resolve(import.meta.dirname, '..')
const python = process.env.PYTHON ?? resolve(root, '.venv/bin/python')
process.env.SSCARD_WEB_PORT ??= execFileSync(python, ['-c', 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'], {
  encoding: 'utf8',
}).trim()
const port = Number(process.env.SSCARD_WEB_PORT)
const baseURL = `http://127.0.0.1:${port}`

// the server's environment: ours without the settings of another stage (as tests/e2e/test_local_stack.py does)
const serverEnv = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => !k.startsWith('SSCARD_') && v !== undefined)) as Record<string, string>

const chromium = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}

export default defineConfig({
  testDir: 'tests/browser',
  fullyParallel: false,
  // two at once on the one local stack: each spec signs in as residents and staff of its own (the
  // reviewer finds the case by its applicant), so no two runs share a queue entry or a card
  workers: 2,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: chromium,
  },
  // The citizen's journeys run on both; what is one audience's only runs at its own size (make test's
  // time on 2 cores): the consoles are desktop first, the sign-in page and elderly mode phone first.
  projects: [
    {
      name: 'phone',
      testIgnore: DESKTOP_ONLY,
      use: { ...devices['Pixel 7'], viewport: { width: 390, height: 844 }, launchOptions: chromium },
    },
    {
      name: 'desktop',
      testIgnore: PHONE_ONLY,
      use: { viewport: { width: 1280, height: 800 }, launchOptions: chromium },
    },
  ],
  webServer: {
    // its log in a file: the access log would drown the test report (and a full pipe stalls a server)
    command: `${python} -m chalicelib.local_server --stage local --host 127.0.0.1 --port ${port} > web/local-stack.log 2>&1`,
    cwd: root,
    env: serverEnv,
    url: `${baseURL}/health`,
    timeout: 90_000,
    reuseExistingServer: process.env.SSCARD_WEB_REUSE === '1', // SSCARD_WEB_PORT=8000 SSCARD_WEB_REUSE=1: against `make run`
    stdout: 'ignore',
    stderr: 'ignore',
  },
})
