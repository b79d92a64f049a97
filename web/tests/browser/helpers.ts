import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page, type TestInfo } from '@playwright/test'
import { DESKTOP_ONLY } from './audiences'

/** Signs in on the demo page as the resident or member of staff whose test id is given. */
export async function signInAs(page: Page, testId: string, start = '/app/'): Promise<void> {
  await page.goto(start)
  await expect(page).toHaveURL(/\/app\/signin/)
  await page.getByTestId(testId).click()
  await expect(page).not.toHaveURL(/\/app\/signin/)
}

/** Every screen an axe check saw, with the count of its moderate/minor findings (the closing tally). */
export const axeTally: { screen: string; serious: number; other: number }[] = []

/** axe-core on the screen as it is: no serious or critical violation (WCAG 2.1 A and AA rules). */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  // the DOM is the same at every viewport: axe runs once per screen (it costs seconds a screen on 2
  // shared cores) — in the phone project, or in the desktop one for the specs that run only there
  const info = test.info()
  const desktopOnly = DESKTOP_ONLY.some((spec) => spec.test(info.file))
  if (info.project.name !== (desktopOnly ? 'desktop' : 'phone')) return
  await page.waitForLoadState('networkidle')
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  axeTally.push({ screen, serious: blocking.length, other: results.violations.length - blocking.length })
  if (process.env.AXE_TALLY) console.log(`axe ${screen}: ${blocking.length} serious/critical, ${results.violations.map((v) => `${v.id} (${v.impact})`).join(' ') || 'nothing else'}`)
  const summary = blocking.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  expect(summary, `axe on ${screen}`).toEqual([])
}

/** A real picture (PNG), drawn by the browser: what a phone's camera would hand over. */
export async function picture(page: Page, colour: string): Promise<Buffer> {
  const url = await page.evaluate((fill) => {
    const canvas = document.createElement('canvas')
    canvas.width = 320
    canvas.height = 200
    const context = canvas.getContext('2d')!
    context.fillStyle = fill
    context.fillRect(0, 0, 320, 200)
    return canvas.toDataURL('image/png')
  }, colour)
  return Buffer.from(url.split(',')[1]!, 'base64')
}

/** The demo resident a test uses in this project: each project gets its own, so both run on one stack. */
export function residentFor(info: TestInfo, phone: string, desktop: string): string {
  return info.project.name === 'phone' ? phone : desktop
}

/** SHOTS=dir: a full-page screenshot of each checked screen, to look at. */
export async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/${info.project.name}-${name}.png`, fullPage: true })
}
