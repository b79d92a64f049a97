import { expect, test } from '@playwright/test'
import { bearer, tokenFor } from './consoles'
import { expectAccessible, residentFor, shot, signInAs } from './helpers'

test('an immediate case: activate and query the card, from the matter list to the result and the printed form', async ({ page, request }, info) => {
  // both residents hold an issued card that is not yet active
  const name = residentFor(info, '李强', '方淑珍')
  await signInAs(page, `resident-${name}`)
  await page.getByTestId('start').click()

  // notice and consent: nothing before it
  await expect(page.getByTestId('notice-text')).toContainText('承诺')
  await expect(page.getByTestId('notice-next')).toBeDisabled()
  await expectAccessible(page, 'notice')
  await shot(page, info, 'notice')
  await page.getByTestId('consent').click()
  await page.getByTestId('notice-next').click()

  // a matter the records refuse: the pre-judgment says why, in plain words, before any form
  await page.getByRole('tab', { name: '按事项选择' }).click()
  await page.getByTestId('matter-apply').click()
  await expectAccessible(page, 'choose')
  await page.getByTestId('prejudge').click()
  await expect(page.getByTestId('verdict-apply')).toContainText('您已持有有效社会保障卡，无需重复申领')
  await expectAccessible(page, 'prejudge failed')
  await shot(page, info, 'prejudge-failed')
  await page.getByTestId('back-to-choose').click()

  await page.getByTestId('matter-apply').click()
  await page.getByTestId('matter-activate').click()
  await page.getByTestId('matter-status_query').click()
  await shot(page, info, 'choose')
  await page.getByTestId('prejudge').click()
  await expect(page.getByTestId('prejudge-passed')).toBeVisible()
  await expect(page.getByTestId('verdict-activate')).toContainText('可以办理')
  await page.getByTestId('to-form').click()

  // a wrong phone number: the API's Chinese message under the phone field
  await page.getByTestId('contact-phone').locator('input').fill('1390559')
  await page.getByTestId('contact-address').locator('textarea').fill('安徽省黄山市黄山区甘棠镇太平路6号')
  await page.getByTestId('form-save').click()
  await expect(page.getByTestId('contact-phone')).toContainText('格式不正确')
  await expectAccessible(page, 'form with an error')
  await shot(page, info, 'form-error')
  await page.getByTestId('contact-phone').locator('input').fill(info.project.name === 'phone' ? '13905590002' : '13905590012')
  await page.getByTestId('form-save').click()

  // no materials needed: straight on to the review and submit
  await expect(page.getByText('所选事项无需提交材料')).toBeVisible()
  await page.getByTestId('to-review').click()
  await expect(page.getByText('社会保障卡启用')).toBeVisible()
  await expectAccessible(page, 'review')
  await shot(page, info, 'review')
  await page.getByTestId('submit').click()

  // the case page follows the run until it is finished
  await expect(page.getByTestId('case-status')).toHaveText('已办结', { timeout: 30_000 })
  await expect(page.getByTestId('matter-status-activate')).toContainText('社保卡状态：正常使用')
  await expect(page.getByTestId('matter-status-status_query')).toContainText('已办结')
  await expect(page.getByTestId('timeline')).toContainText('案件已办结')
  await expectAccessible(page, 'case completed')
  await shot(page, info, 'case-completed')

  // the printable 2023 form, the applicant's copy
  const popup = page.waitForEvent('popup')
  await page.getByTestId('print-form').click()
  const form = await popup
  await expect(form.locator('body')).toContainText('社会保障卡')
  await expect(form.locator('body')).toContainText(name)
  await form.close()

  await page.getByRole('button', { name: '返回我的办件' }).click()
  await expect(page.locator('[data-testid^="case-"]').first()).toContainText('已办结')
  await expectAccessible(page, 'my cases')
  await shot(page, info, 'cases')

  // 撤回: a submitted case is withdrawn, after a confirmation, until a matter goes to a department. On
  // the local stack a run gets there (or ends) within about a second of its submission, too soon to
  // press 撤回 reliably; so the case is a real draft (the API withdraws one as it does a submitted case)
  // that the page is shown as submitted. The button, the question, the withdrawal and what follows are real.
  const [idNumber, phone] = info.project.name === 'phone' ? ['341003199002150037', '13905590002'] : ['341021194208080134', '13905590012']
  const token = await tokenFor(request, { sub: idNumber, name, roles: ['citizen'] })
  const draft = await request.post('/cases', {
    headers: bearer(token),
    data: { consent: { notice_version: '2023.1', agreed: true }, matters: [{ code: 'status_query' }], contact: { phone, address: '安徽省黄山市黄山区甘棠镇太平路6号' } },
  })
  expect(draft.status()).toBe(201)
  const draftId = ((await draft.json()) as { case_id: string }).case_id
  await page.route((url) => url.pathname === `/cases/${draftId}`, async (route) => {
    const answer = await route.fetch()
    const view = (await answer.json()) as { status: string }
    await route.fulfill({ response: answer, json: view.status === 'draft' ? { ...view, status: 'submitted', submitted_at: new Date().toISOString() } : view })
  })
  await signInAs(page, `resident-${name}`, `/app/cases/${draftId}`) // the token lives in memory: a page load signs in again
  await page.getByTestId('withdraw').click()
  const question = page.getByRole('dialog', { name: '撤回申请' })
  await expect(question).toContainText('撤回后本次申请的所有事项都不再办理')
  await expect(question.getByRole('button', { name: '暂不撤回' })).toBeFocused() // the safe choice: a second Enter withdraws nothing
  await expectAccessible(page, 'withdraw confirmation')
  await shot(page, info, 'withdraw-confirm')
  await question.getByRole('button', { name: '撤回申请' }).click()
  await expect(page.getByTestId('case-status')).toHaveText('已撤回')
  await expect(page.getByTestId('matter-status-status_query')).toContainText('原因：申请人已撤回')
  await expect(page.getByTestId('withdraw')).toHaveCount(0)
  await expectAccessible(page, 'case withdrawn')
  await shot(page, info, 'case-withdrawn')
})
