import { expect, test } from '@playwright/test'
import { bearer, caseWhen, tokenFor, uploadMissing } from './consoles'
import { expectAccessible, shot, signInAs } from './helpers'

// The reviewed journey's second half, each party in its own browser context: the citizen's case waits
// for the district's HR reviewer, who approves it in the console (after the API refused a rejection
// without a reason, next to the field); the bank hands the card over in its console; the citizen's
// case screen shows the approval, and the activation of the new card.
test('a reviewer approves a card application in the console, the bank hands the card over, the citizen activates it', async ({ browser, page, request }, info) => {
  // each project its own applicant (both run on one stack): no valid card, so both may apply
  const phone = info.project.name === 'phone'
  const citizen = phone ? { sub: '342701198001010069', name: '杨磊' } : { sub: '34270119770606007X', name: '赵敏' }
  const reviewer = phone ? 'staff-hr-341022-01' : 'staff-hr-341023-01' // the applicant's district in the card system
  const branch = phone ? '休宁支行' : '歙县支行'

  // the citizen, signed in in the first context; the case is set up through the API
  await signInAs(page, `resident-${citizen.name}`)
  const token = await tokenFor(request, { ...citizen, roles: ['citizen'] })
  const created = await request.post('/cases', {
    headers: bearer(token),
    data: {
      consent: { notice_version: '2023.1', agreed: true },
      matters: [{ code: 'apply', form: { bank: '中国银行黄山分行', branch } }],
      contact: { phone: phone ? '13905590005' : '13905590006', address: '安徽省黄山市休宁县海阳镇秀阳路12号' },
    },
  })
  expect(created.status()).toBe(201)
  const caseId = ((await created.json()) as { case_id: string }).case_id
  await uploadMissing(request, page, token, caseId) // 赵敏's police photo is not shared
  expect((await request.post(`/cases/${caseId}/submit`, { headers: bearer(token) })).status()).toBe(202)
  await caseWhen(request, token, caseId, (c) => c.matters[0]?.status === 'awaiting_review')

  // the reviewer, in a second context: the queue with the countdown, the case with its materials
  const reviewing = await browser.newContext()
  const hr = await reviewing.newPage()
  await signInAs(hr, reviewer)
  await expect(hr).toHaveURL(/\/app\/review$/)
  const row = hr.getByTestId(`review-${caseId}.apply`)
  await expect(row).toContainText(citizen.name)
  await expect(row.getByTestId('deadline')).toContainText(/剩余 |已超时 /)
  await expectAccessible(hr, 'review queue')
  await hr.getByTestId(`open-${caseId}.apply`).click()
  await expect(hr.getByTestId('review-applicant')).toContainText(citizen.name)
  await expect(hr.getByTestId('review-material-photo')).toBeVisible()
  await expect(hr.locator('img.preview')).toHaveCount(3) // ID card both sides and the photo, shown inline
  await expectAccessible(hr, 'review detail')

  // a rejection needs a reason: the API's message shows at the reason field, nothing is decided
  await hr.getByTestId('decision-reject').click()
  await hr.getByTestId('decide').click()
  await expect(hr.getByTestId('reason')).toContainText('驳回时须填写理由')
  await expectAccessible(hr, 'review decision with an error')
  await hr.getByTestId('decision-approve').click()
  await hr.getByTestId('decide').click()
  await expect(hr.getByTestId('review-status')).toHaveText('已通过')
  await hr.getByRole('link', { name: '返回待审核列表' }).click()
  await hr.getByRole('tab', { name: '已审核' }).click()
  await expect(hr.getByTestId(`review-${caseId}.apply`)).toContainText('通过')
  await expectAccessible(hr, 'decided reviews')

  // the citizen's case: approved, the card waiting at the chosen branch
  const approved = await caseWhen(request, token, caseId, (c) => c.status === 'completed')
  expect(approved.matters[0]?.status).toBe('succeeded')
  const cardId = String(approved.matters[0]?.result?.card_id)

  // the bank (中国银行), in a third context: the card on its list, handed over
  const banking = await browser.newContext()
  const bank = await banking.newPage()
  await signInAs(bank, 'staff-boc-tunxi-01')
  await expect(bank).toHaveURL(/\/app\/bank$/)
  const card = bank.getByTestId(`card-${cardId}`)
  await expect(card).toContainText(branch)
  await expect(card).toContainText(`${citizen.name.slice(0, 1)}*`) // the applicant masked
  await expectAccessible(bank, 'bank cards')
  // the hand-over cannot be undone (the applicant is told to activate the card): confirmed first, for
  // the applicant named as the row shows them, with the ID card checked
  await card.getByTestId(`issue-${cardId}`).click()
  const confirm = bank.getByRole('dialog', { name: '确认已制卡发放' })
  await expect(confirm).toContainText(`申请人：${citizen.name.slice(0, 1)}*`)
  await expect(confirm).toContainText('请先核对申请人本人的身份证件')
  await expect(confirm.getByRole('button', { name: '暂不发放' })).toBeFocused() // the safe choice: a second Enter hands nothing over
  await expectAccessible(bank, 'bank hand-over confirmation')
  await shot(bank, info, 'bank-confirm-hand-over')
  // a second Enter (a double press) cancels, and the clerk is back on the button; asked again, confirmed
  await bank.keyboard.press('Enter')
  await expect(confirm).toBeHidden()
  await expect(card.getByTestId(`issue-${cardId}`)).toBeFocused()
  await expect(card.getByTestId('card-outcome')).toHaveCount(0)
  await card.getByTestId(`issue-${cardId}`).click()
  await confirm.getByRole('button', { name: '确认已发放' }).click()
  await expect(card.getByTestId('card-outcome')).toContainText('已发放')

  // the citizen activates the card that was just handed over
  const activation = await request.post('/cases', {
    headers: bearer(token),
    data: { consent: { notice_version: '2023.1', agreed: true }, matters: [{ code: 'activate' }], contact: { phone: '13905590005', address: '安徽省黄山市休宁县海阳镇秀阳路12号' } },
  })
  expect(activation.status()).toBe(201)
  const activationId = ((await activation.json()) as { case_id: string }).case_id
  expect((await request.post(`/cases/${activationId}/submit`, { headers: bearer(token) })).status()).toBe(202)

  // the citizen's own screens tell the outcome: the approved application with its branch, then the card in use
  // (the token lives in memory only: a new page load signs in again and comes back to the case)
  await signInAs(page, `resident-${citizen.name}`, `/app/cases/${caseId}`)
  await expect(page.getByTestId('case-status')).toHaveText('已办结')
  await expect(page.getByTestId('matter-status-apply')).toContainText(`办卡网点：${branch}`)
  await page.getByRole('button', { name: '返回我的办件' }).click()
  await page.getByTestId(`case-${activationId}`).click()
  await expect(page.getByTestId('case-status')).toHaveText('已办结', { timeout: 30_000 })
  await expect(page.getByTestId('matter-status-activate')).toContainText('社保卡状态：正常使用')
  await expectAccessible(page, 'case of an activated card')

  await reviewing.close()
  await banking.close()
})
