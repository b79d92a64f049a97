// `make screenshots`: walks the main screens of the citizen app (phone, 390×844) and of the consoles
// (desktop, 1280×800) on a fresh local stack and writes docs/screens/*.png. Not a test (the browser
// suite checks these screens); the waits only make sure each picture shows what its name says.
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { bearer, caseWhen, tokenFor, uploadMissing } from '../../tests/browser/consoles'
import { picture, signInAs } from '../../tests/browser/helpers'

const out = resolve(import.meta.dirname, '../../../docs/screens')
mkdirSync(out, { recursive: true })

// One business moment for every run (a Tuesday morning, a working day), so that submission and due times
// and the reviewers' countdowns read the same each time.
const businessMoment = '2026-12-01T09:30:00+08:00'

test.beforeEach(async ({ request }) => {
  expect((await request.put('/dev/clock', { data: { time: businessMoment } })).ok()).toBe(true)
})

/** The screen as it is once loaded: no animation, no caret, no loading toast. */
async function snap(page: Page, name: string, fullPage = true): Promise<void> {
  await page.waitForLoadState('networkidle')
  await expect(page.locator('.van-toast--loading')).toHaveCount(0)
  await page.screenshot({ path: `${out}/${name}.png`, fullPage, animations: 'disabled', caret: 'hide', scale: 'css' })
}

test('the citizen app on a phone', async ({ page, browser }, info) => {
  test.skip(info.project.name !== 'phone')
  // 胡国平: no card yet; his ID e-license comes from data sharing, his photo does not
  await page.goto('/app/')
  await expect(page).toHaveURL(/\/app\/signin/)
  await expect(page.getByTestId('resident-胡国平')).toBeVisible()
  await snap(page, 'phone-01-signin', false) // the first screenful: the list of demo people runs on
  await page.getByTestId('resident-胡国平').click()
  await expect(page).not.toHaveURL(/\/app\/signin/)

  await page.getByTestId('start').click()
  await expect(page.getByTestId('notice-text')).toContainText('承诺')
  await page.getByTestId('consent').click()
  await snap(page, 'phone-02-notice')
  await page.getByTestId('notice-next').click()

  await page.getByTestId('scenario-first_card').click()
  await snap(page, 'phone-03-scenario')
  await page.getByTestId('prejudge').click()
  await expect(page.getByTestId('verdict-apply')).toContainText('可以办理')
  await snap(page, 'phone-04-prejudgment')
  await page.getByTestId('to-form').click()

  await page.getByTestId('apply-bank').click()
  await expect(page.locator('.van-cascader')).toBeVisible()
  await page.locator('.van-cascader__option', { hasText: '中国银行黄山分行' }).click()
  await expect(page.locator('.van-cascader__option', { hasText: '屯溪支行（屯溪区）' })).toBeVisible()
  await snap(page, 'phone-05-bank-picker', false)
  await page.locator('.van-cascader__option', { hasText: '屯溪支行（屯溪区）' }).click()
  await expect(page.getByTestId('apply-bank')).toContainText('中国银行黄山分行 · 屯溪支行')
  await page.getByTestId('contact-address').locator('textarea').fill('安徽省黄山市黟县宏村镇宏村街1号')
  await snap(page, 'phone-06-form')
  await page.getByTestId('form-save').click()

  await expect(page.getByTestId('material-id_card_front')).toContainText('已通过数据共享获取')
  await page.getByTestId('file-photo').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a picture\n') })
  await expect(page.getByTestId('rejected-photo')).toContainText('请重新拍摄或选择', { timeout: 30_000 })
  await snap(page, 'phone-07-materials')
  await page.getByTestId('file-photo').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: await picture(page, '#ffffff') })
  await expect(page.getByTestId('material-photo')).toContainText('检查通过', { timeout: 30_000 })
  await page.getByTestId('to-review').click()
  await expect(page.getByTestId('submit')).toBeVisible()
  await snap(page, 'phone-08-review')
  await page.getByTestId('submit').click()
  await expect(page.getByTestId('matter-status-apply')).toContainText('等待人社部门审核', { timeout: 30_000 })
  await expect(page.getByTestId('matter-status-status_query')).toContainText('已办结', { timeout: 30_000 })
  const caseUrl = page.url()
  const caseId = caseUrl.split('/').pop()!

  // the district's reviewer approves it in the console (a second context), so the case shows a result
  const reviewing = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const hr = await reviewing.newPage()
  await signInAs(hr, 'staff-hr-341023-01')
  await hr.getByTestId(`open-${caseId}.apply`).click()
  await hr.getByTestId('decision-approve').click()
  await hr.getByTestId('decide').click()
  await expect(hr.getByTestId('review-status')).toHaveText('已通过')
  await reviewing.close()

  await expect(page.getByTestId('case-status')).toHaveText('已办结', { timeout: 45_000 })
  await expect(page.getByTestId('timeline')).toContainText('案件已办结')
  await snap(page, 'phone-10-case-timeline')
  await page.getByRole('button', { name: '返回我的办件' }).click()
  await expect(page.locator('[data-testid^="case-"]').first()).toContainText('已办结')
  await snap(page, 'phone-09-my-cases')

  await page.getByTestId('home-link').click()
  await page.getByTestId('elderly-toggle').click()
  await expect(page.locator('html')).toHaveClass(/elderly/)
  await snap(page, 'phone-11-elderly-home')
  await page.getByTestId('start').click()
  // the consent given earlier in this visit is remembered: ticking again would withdraw it
  await expect(page.getByTestId('notice-text')).toBeVisible()
  if (await page.getByTestId('notice-next').isDisabled()) await page.getByTestId('consent').click()
  await page.getByTestId('notice-next').click()
  await page.getByTestId('scenario-contact_changed').click()
  await page.getByTestId('prejudge').click()
  await page.getByTestId('to-form').click()
  await expect(page.getByText('第 1 步，共 2 步')).toBeVisible()
  await page.getByTestId('info_change-phone').locator('input').fill('13905598877')
  await snap(page, 'phone-12-elderly-form')
  await page.getByTestId('home-link').click()
  await page.getByTestId('elderly-toggle').click()
})

test('the consoles on a desktop', async ({ page, browser, request }, info) => {
  test.skip(info.project.name !== 'desktop')
  // the counter: an applicant present with an agent
  await signInAs(page, 'staff-clerk-01')
  await expect(page).toHaveURL(/\/app\/counter$/)
  await page.getByTestId('applicant-name').locator('input').fill('陈静')
  await page.getByTestId('applicant-id').locator('input').fill('341021199507070051')
  await page.getByTestId('contact-phone').locator('input').fill('13905590003')
  await page.getByTestId('contact-address').locator('input').fill('安徽省黄山市徽州区岩寺镇文峰路9号')
  await page.getByTestId('with-agent').click()
  await page.getByTestId('agent-name').locator('input').fill('刘建国')
  await page.getByTestId('agent-id').locator('input').fill('341004196004120010')
  await page.getByTestId('agent-phone').locator('input').fill('13905590012')
  await page.getByTestId('agent-relation').locator('input').fill('朋友')
  await page.getByTestId('matter-status_query').getByRole('checkbox').click()
  await page.getByTestId('consent').click()
  await snap(page, 'desktop-01-counter')
  await page.getByTestId('open-case').click()
  await expect(page.getByTestId('identity-check')).toContainText('代办人身份核验一致')
  await snap(page, 'desktop-02-counter-case')

  // a card application waiting for the district's reviewer (set up through the API, as the tests do)
  const citizen = { sub: '34270119770606007X', name: '赵敏' }
  const token = await tokenFor(request, { ...citizen, roles: ['citizen'] })
  const created = await request.post('/cases', {
    headers: bearer(token),
    data: {
      consent: { notice_version: '2023.1', agreed: true },
      matters: [{ code: 'apply', form: { bank: '中国银行黄山分行', branch: '歙县支行' } }],
      contact: { phone: '13905590006', address: '安徽省黄山市歙县徽城镇渔梁街3号' },
    },
  })
  expect(created.status()).toBe(201)
  const caseId = ((await created.json()) as { case_id: string }).case_id
  await uploadMissing(request, page, token, caseId)
  expect((await request.post(`/cases/${caseId}/submit`, { headers: bearer(token) })).status()).toBe(202)
  await caseWhen(request, token, caseId, (c) => c.matters[0]?.status === 'awaiting_review')

  const reviewing = await browser.newContext()
  const hr = await reviewing.newPage()
  await signInAs(hr, 'staff-hr-341023-01')
  await expect(hr.getByTestId(`review-${caseId}.apply`).getByTestId('deadline')).toContainText(/剩余 |已超时 /)
  await snap(hr, 'desktop-03-review-queue')
  await hr.getByTestId(`open-${caseId}.apply`).click()
  await expect(hr.locator('img.preview')).toHaveCount(3)
  await hr.getByTestId('decision-approve').click()
  await snap(hr, 'desktop-04-review-decision')
  await hr.getByTestId('decide').click()
  await expect(hr.getByTestId('review-status')).toHaveText('已通过')
  await reviewing.close()
  await caseWhen(request, token, caseId, (c) => c.status === 'completed')

  const banking = await browser.newContext()
  const bank = await banking.newPage()
  await signInAs(bank, 'staff-boc-tunxi-01')
  await expect(bank.locator('[data-testid^="card-"]').first()).toBeVisible()
  await snap(bank, 'desktop-05-bank-cards')
  await banking.close()

  const operating = await browser.newContext()
  const ops = await operating.newPage()
  await signInAs(ops, 'staff-ops-001')
  await expect(ops.locator('[data-testid^="holiday-"]').first()).toBeVisible()
  await snap(ops, 'desktop-06-operator-calendar')
  await operating.close()
})
