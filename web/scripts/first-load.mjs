// The citizen app's first load on the phone viewport, measured with Chromium's performance timing
// (a Lighthouse-style cold load: new profile, no cache). Needs a running stack: `make run`, then
//   node scripts/first-load.mjs [http://127.0.0.1:8000] [runs]
// Prints the median of each figure; nothing is asserted (timings depend on the machine).
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { chromium } from '@playwright/test'

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist')

const base = process.argv[2] ?? 'http://127.0.0.1:8000'
const runs = Number(process.argv[3] ?? 5)
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
const samples = []
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, locale: 'zh-CN' })
  const page = await context.newPage()
  await page.goto(`${base}/app/`, { waitUntil: 'load' })
  await page.getByTestId('resident-王芳').waitFor() // the sign-in page has drawn its list
  samples.push(
    await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0]
      const paint = Object.fromEntries(performance.getEntriesByType('paint').map((p) => [p.name, p.startTime]))
      const resources = performance.getEntriesByType('resource')
      const app = resources.filter((r) => r.name.includes('/app/'))
      return {
        ttfb: nav.responseStart,
        fcp: paint['first-contentful-paint'] ?? NaN,
        domContentLoaded: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
        ready: performance.now(),
        appBytes: app.reduce((sum, r) => sum + r.transferSize, nav.transferSize),
        appFiles: app.length + 1,
        files: app.map((r) => new URL(r.name).pathname),
      }
    }),
  )
  await context.close()
}
await browser.close()
const median = (key) => {
  const values = samples.map((s) => s[key]).sort((a, b) => a - b)
  return values[Math.floor(values.length / 2)]
}
console.log(`first load of ${base}/app/ (redirected to sign-in), phone 390x844, ${runs} cold runs, median:`)
for (const key of ['ttfb', 'fcp', 'domContentLoaded', 'load', 'ready']) console.log(`  ${key.padEnd(17)} ${median(key).toFixed(0)} ms`)
console.log(`  transferred        ${(median('appBytes') / 1024).toFixed(1)} kB in ${median('appFiles')} files (the local server does not compress)`)
// the budget is gzipped (CloudFront compresses): the same files from web/dist, gzipped
const files = ['/app/index.html', ...samples[0].files.filter((f) => f !== '/app/config.json')]
const gzipped = files.reduce((sum, f) => sum + gzipSync(readFileSync(resolve(dist, f.replace('/app/', '')))).length, 0)
console.log(`  gzipped            ${(gzipped / 1024).toFixed(1)} kB (${files.length} files of web/dist)`)
