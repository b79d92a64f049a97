import { expect, test } from '@playwright/test'
import { bearer, caseWhen, tokenFor } from './consoles'
import { expectAccessible, signInAs } from './helpers'

// The pension department's console: a pensioner's payout-account change waits for it; accepted, the
// screen says from which month the new account is paid (computed by the service from the submission time).
test('the pension system accepts a payout-account change and is told the effective month', async ({ page, request }, info) => {
  // each project its own pensioner, each changing to the account of their own active card
  const phone = info.project.name === 'phone'
  const citizen = phone ? { sub: '342701195905050086', name: '黄秀英' } : { sub: '341002195003150122', name: '汪德华' }
  const account = phone ? '6217005590000000074' : '6217005590000000116'
  const token = await tokenFor(request, { ...citizen, roles: ['citizen'] })
  const created = await request.post('/cases', {
    headers: bearer(token),
    data: {
      consent: { notice_version: '2023.1', agreed: true },
      matters: [{ code: 'pension_account', form: { account_number: account } }],
      contact: { phone: '13905590011', address: '安徽省黄山市屯溪区老街168号' },
    },
  })
  expect(created.status()).toBe(201)
  const caseId = ((await created.json()) as { case_id: string }).case_id
  expect((await request.post(`/cases/${caseId}/submit`, { headers: bearer(token) })).status()).toBe(202)
  await caseWhen(request, token, caseId, (c) => c.matters[0]?.status === 'awaiting_review')

  await signInAs(page, 'staff-pension-system')
  await expect(page).toHaveURL(/\/app\/pension$/)
  const row = page.getByTestId(`pension-${caseId}.pension_account`)
  await expect(row).toContainText(citizen.name)
  await expectAccessible(page, 'pension requests')
  await row.getByTestId(`accept-${caseId}.pension_account`).click()
  await expect(row.getByTestId('pension-outcome')).toContainText(/已受理，自\d{4}年\d{1,2}月待遇起生效/)
  const done = await caseWhen(request, token, caseId, (c) => c.status === 'completed')
  expect(done.matters[0]?.status).toBe('succeeded')
})
