import { expect, test } from '@playwright/test'
import { expectAccessible, signInAs } from './helpers'

// A console refuses a citizen with a message on the sign-in page; the operator then sees the year's
// working-day calendar and where it comes from, and a faulty schedule is refused entry by entry
// (nothing is loaded, so the test leaves the calendar as it found it).
test('a citizen is sent to sign in from the operator console; the operator views a year and sees why a schedule is refused', async ({ page }) => {
  await page.goto('/app/signin?next=/operator')
  await page.getByTestId('resident-王芳').click()
  await expect(page).toHaveURL(/\/app\/signin\?.*denied=operator/)
  await expect(page.getByTestId('signin-denied')).toHaveText('该页面仅限运维人员使用，请以运维人员身份登录。')

  await page.getByTestId('staff-ops-001').click()
  await expect(page).toHaveURL(/\/app\/operator$/)
  await expect(page.getByTestId('console-who')).toContainText('运维人员')
  // a year the State Council has not published yet (domain.md §5): the statutory fallback
  const year = new Date().getFullYear() + 2
  await page.getByTestId('calendar-year').selectOption(String(year))
  await expect(page.getByTestId('calendar-source')).toHaveText('尚无公布安排：按法定节假日和周末推算')
  await expect(page.getByTestId(`holiday-${year}-01-01`)).toContainText('元旦')
  await expectAccessible(page, 'operator calendar')

  await page.getByTestId('calendar-json').locator('textarea').fill('{"notice": "国务院办公厅关于部分节假日安排的通知", "holidays": [{"name": "元旦"')
  await page.getByTestId('calendar-load').click()
  await expect(page.getByTestId('calendar-json')).toContainText('不是有效的 JSON')

  await page.getByTestId('calendar-template').click()
  const template = JSON.parse(await page.getByTestId('calendar-json').locator('textarea').inputValue()) as { holidays: { name: string; date?: string; end?: string }[] }
  template.holidays[0] = { name: template.holidays[0]!.name, date: `${year}-13-01` }
  await page.getByTestId('calendar-json').locator('textarea').fill(JSON.stringify(template, null, 2))
  await page.getByTestId('calendar-load').click()
  await expect(page.getByTestId('calendar-errors')).toContainText('放假安排第1条（元旦）')
  await expect(page.getByTestId('calendar-source')).toHaveText('尚无公布安排：按法定节假日和周末推算') // nothing loaded
  await expectAccessible(page, 'operator calendar with errors')
})
