import { expect, test } from '@playwright/test'
import { bearer, caseWhen, tokenFor, uploadMissing } from './consoles'
import { expectAccessible, shot, signInAs } from './helpers'

// The bank cannot make a card (a chip that will not write, say): 无法制卡 needs a reason, which the
// applicant is told. Without one the API's Chinese message shows at the reason field and nothing is
// marked; with one, the card leaves the bank's list and the applicant's matter ends with that reason.
// Desktop only (a console); the case is set up through the API: 刘洋 reports his lost card reissued,
// the district's reviewer approves it, the card waits at 中国银行's branch.
test('a bank marks a card not made, first without a reason, then with one the applicant is told', async ({ page, request }, info) => {
  const applicant = { sub: '341004198811200040', name: '刘洋' }
  const token = await tokenFor(request, { ...applicant, roles: ['citizen'] })
  const created = await request.post('/cases', {
    headers: bearer(token),
    data: {
      consent: { notice_version: '2023.1', agreed: true },
      matters: [{ code: 'reissue', form: { bank: '中国银行黄山分行', branch: '徽州支行', kind: 'lost' } }],
      contact: { phone: '13905590003', address: '安徽省黄山市徽州区岩寺镇文峰路9号' },
    },
  })
  expect(created.status(), await created.text()).toBe(201)
  const caseId = ((await created.json()) as { case_id: string }).case_id
  await uploadMissing(request, page, token, caseId)
  expect((await request.post(`/cases/${caseId}/submit`, { headers: bearer(token) })).status()).toBe(202)
  await caseWhen(request, token, caseId, (c) => c.matters[0]?.status === 'awaiting_review')
  const reviewer = await tokenFor(request, { sub: 'hr-341004-01', name: '汪丽娟', roles: ['reviewer'], district: '341004', id_number: '341004197304132333' })
  const decided = await request.post(`/reviews/${caseId}.reissue/decision`, { headers: bearer(reviewer), data: { decision: 'approve' } })
  expect(decided.status(), await decided.text()).toBe(200)
  const approved = await caseWhen(request, token, caseId, (c) => c.status === 'completed')
  const cardId = String(approved.matters[0]?.result?.card_id)

  await signInAs(page, 'staff-boc-tunxi-01')
  const card = page.getByTestId(`card-${cardId}`)
  await expect(card).toContainText('徽州支行')
  await card.getByTestId(`fail-${cardId}`).click()
  await card.getByTestId('fail-confirm').click()
  await expect(card.getByTestId('fail-reason')).toContainText('缺少必填字段')
  await expect(card.getByTestId('card-outcome')).toHaveCount(0)
  await expectAccessible(page, 'bank card not made without a reason')
  await shot(page, info, 'bank-not-made-reason-missing')

  await card.getByTestId('fail-reason').locator('textarea').fill('芯片写入失败，请到网点重新申请')
  await card.getByTestId('fail-confirm').click()
  await expect(card.getByTestId('card-outcome')).toContainText('未制卡：芯片写入失败，请到网点重新申请（已告知申请人）')
  await page.getByTestId('refresh').click()
  await expect(page.getByTestId(`card-${cardId}`)).toHaveCount(0)

  // the applicant's case: the matter failed, with the bank's reason (also sent by SMS)
  const told = await caseWhen(request, token, caseId, (c) => c.matters[0]?.status === 'failed')
  expect(JSON.stringify(told)).toContain('芯片写入失败')
})
