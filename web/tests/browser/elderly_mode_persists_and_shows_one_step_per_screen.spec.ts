import { expect, test } from '@playwright/test'
import { expectAccessible, residentFor, shot, signInAs } from './helpers'

test('长辈版: larger type, kept across visits, one step per screen; a draft is then changed and deleted', async ({ page }, info) => {
  const name = residentFor(info, '王芳', '周建国')
  await signInAs(page, `resident-${name}`)
  const bodyText = page.getByText(`您好，${name}`)
  const standard = await bodyText.evaluate((e) => parseFloat(getComputedStyle(e).fontSize))

  await page.getByTestId('elderly-toggle').click()
  await expect(page.locator('html')).toHaveClass(/elderly/)
  expect(await bodyText.evaluate((e) => parseFloat(getComputedStyle(e).fontSize))).toBeGreaterThan(standard)
  await expectAccessible(page, 'home, elderly')
  await shot(page, info, 'elderly-home')

  // the preference outlives the visit (the token does not: sign in again)
  await page.reload()
  await expect(page).toHaveURL(/\/app\/signin/)
  await expect(page.locator('html')).toHaveClass(/elderly/)
  await page.getByTestId(`resident-${name}`).click()

  await page.getByTestId('start').click()
  await page.getByTestId('consent').click()
  await page.getByTestId('notice-next').click()
  await page.getByTestId('scenario-contact_changed').click()
  await page.getByTestId('prejudge').click()
  await page.getByTestId('to-form').click()

  // one section per screen: the new contact details first, then the applicant's contact
  await expect(page.getByText('第 1 步，共 2 步')).toBeVisible()
  await expect(page.getByTestId('contact-phone')).toHaveCount(0)
  await page.getByTestId('info_change-phone').locator('input').fill('13905598877')
  await expectAccessible(page, 'form step 1, elderly')
  await shot(page, info, 'elderly-form-1')
  await page.getByTestId('form-step-next').click()
  await expect(page.getByText('第 2 步，共 2 步')).toBeVisible()
  await page.getByTestId('contact-address').locator('textarea').fill('安徽省黄山市屯溪区新安北路18号')
  await shot(page, info, 'elderly-form-2')
  await page.getByTestId('form-save').click()
  await expect(page.getByText('所选事项无需提交材料')).toBeVisible()

  // not submitted: the draft is in my cases, and can be deleted
  await page.getByTestId('home-link').click()
  await page.getByTestId('my-cases').click()
  const draft = page.locator('[data-testid^="case-"]', { hasText: '草稿' }).first()
  await draft.click()
  await expect(page.getByTestId('case-status')).toHaveText('草稿（未提交）')
  await expectAccessible(page, 'draft, elderly')
  await shot(page, info, 'elderly-draft')

  // a draft can be changed: a status query added, pre-judged again, saved onto the same case
  await page.getByTestId('change').click()
  await page.getByRole('tab', { name: '按事项选择' }).click()
  await expect(page.getByTestId('matter-info_change')).toHaveAttribute('aria-checked', 'true')
  await page.getByTestId('matter-status_query').click()
  await page.getByTestId('prejudge').click()
  await page.getByTestId('to-form').click()
  await expect(page.getByTestId('info_change-phone').locator('input')).toHaveValue('13905598877')
  await page.getByTestId('form-step-next').click()
  await page.getByTestId('form-save').click()
  await expect(page.getByText('所选事项无需提交材料')).toBeVisible()
  await page.getByTestId('home-link').click()
  await page.getByTestId('my-cases').click()
  await expect(page.locator('[data-testid^="case-"]', { hasText: '草稿' })).toHaveCount(1) // changed, not a second draft
  await page.locator('[data-testid^="case-"]', { hasText: '草稿' }).click()
  await expect(page.getByTestId('matter-status-status_query')).toBeVisible()
  const caseUrl = page.url()
  await page.getByTestId('delete').click()
  await page.getByRole('dialog', { name: '删除草稿' }).getByRole('button', { name: '删除草稿' }).click()
  await expect(page).toHaveURL(/\/app\/cases$/)
  await expect(page.locator(`[data-testid="case-${caseUrl.split('/').pop()}"]`)).toHaveCount(0)

  await page.getByTestId('elderly-toggle').click() // back to the standard mode for the next test of this browser
  await expect(page.locator('html')).not.toHaveClass(/elderly/)
})
