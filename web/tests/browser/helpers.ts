import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

/** Signs in on the demo page as the resident or member of staff whose test id is given. */
export async function signInAs(page: Page, testId: string, start = '/app/'): Promise<void> {
  await page.goto(start)
  await expect(page).toHaveURL(/\/app\/signin/)
  await page.getByTestId(testId).click()
}

/** axe-core on the screen as it is: no serious or critical violation (WCAG 2.1 A and AA rules). */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  const summary = blocking.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  expect(summary, `axe on ${screen}`).toEqual([])
}
