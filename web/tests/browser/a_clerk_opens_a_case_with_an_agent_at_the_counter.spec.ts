import { expect, test } from '@playwright/test'
import { pngOf } from './consoles'
import { expectAccessible, signInAs } from './helpers'

// The counter: an applicant present with an agent (代办人). A name that does not match its ID number is
// refused next to the name; corrected, the case opens with the identity check shown; the agent's ID
// documents are uploaded, the case submitted, the 2023 form printed with the full ID number, and the
// case found again in the service point's list by the applicant's ID number.
test('a clerk opens a case with an agent, uploads the documents, submits it and prints the form', async ({ page }, info) => {
  // each project its own applicant and agent (both run on one stack); all known to 公安人口信息
  const phone = info.project.name === 'phone'
  const applicant = phone ? { name: '刘洋', id: '341004198811200040', wrong: '刘阳' } : { name: '陈静', id: '341021199507070051', wrong: '陈晶' }
  const agent = phone ? { name: '徐丽', id: '341004199312120112', phone: '13905590010', relation: '邻居' } : { name: '刘建国', id: '341004196004120010', phone: '13905590012', relation: '朋友' }

  await signInAs(page, 'staff-clerk-01')
  await expect(page).toHaveURL(/\/app\/counter$/)
  await expect(page.getByTestId('console-who')).toContainText('窗口工作人员')
  await page.getByTestId('applicant-name').locator('input').fill(applicant.wrong)
  await page.getByTestId('applicant-id').locator('input').fill(applicant.id)
  await page.getByTestId('contact-phone').locator('input').fill('13905590003')
  await page.getByTestId('contact-address').locator('input').fill('安徽省黄山市徽州区岩寺镇文峰路9号')
  await page.getByTestId('with-agent').click()
  await page.getByTestId('agent-name').locator('input').fill(agent.name)
  await page.getByTestId('agent-id').locator('input').fill(agent.id)
  await page.getByTestId('agent-phone').locator('input').fill(agent.phone)
  await page.getByTestId('agent-relation').locator('input').fill(agent.relation)
  await page.getByTestId('matter-status_query').getByRole('checkbox').click()
  await page.getByTestId('consent').click()
  await page.getByTestId('open-case').click()
  await expect(page.getByTestId('applicant-name')).toContainText('申请人姓名与身份证号码不一致')
  await expectAccessible(page, 'counter form with an identity refusal')

  await page.getByTestId('applicant-name').locator('input').fill(applicant.name)
  await page.getByTestId('open-case').click()
  await expect(page).toHaveURL(/\/app\/counter\/cases\/[0-9a-f-]+$/)
  const caseId = (await page.getByTestId('case-id').textContent())!.trim()
  await expect(page.getByTestId('identity-check')).toContainText('申请人身份核验一致；代办人身份核验一致')
  await expect(page.getByTestId('case-agent')).toContainText(`${agent.name}（${agent.relation}`)
  await expect(page.getByTestId('case-status')).toContainText('草稿')

  // both persons' ID documents: the agent's are uploaded here (the applicant's come from data sharing)
  for (const kind of ['agent_id_card_front', 'agent_id_card_back']) {
    await page.getByTestId(`upload-${kind}`).setInputFiles({ name: `${kind}.png`, mimeType: 'image/png', buffer: await pngOf(page, '#e8d9b0') })
    await expect(page.getByTestId(`material-${kind}`)).toContainText('已上传', { timeout: 30_000 })
  }
  await expectAccessible(page, 'counter case')

  // the counter copy of the 2023 form, with the full ID number, opens in a new tab to print
  const [form] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId('print-form').click()])
  await expect(form.locator('body')).toContainText(applicant.id)
  await form.close()

  await page.getByTestId('submit-case').click()
  await expect(page.getByTestId('case-status')).toContainText('已办结', { timeout: 30_000 })
  await expect(page.getByTestId('case-matter-status_query')).toContainText('已办结')

  // the service point's cases: a malformed ID number is refused next to the field; the right one finds the case
  await page.getByRole('link', { name: '返回本网点办件' }).click()
  await page.getByTestId('search-id').locator('input').fill('34100419881120004')
  await page.getByTestId('search').click()
  await expect(page.getByTestId('search-id')).toContainText('身份证号码')
  await page.getByTestId('search-id').locator('input').fill(applicant.id)
  await page.getByTestId('search').click()
  await expect(page.getByTestId(`counter-case-${caseId}`)).toContainText('已办结')
  await expectAccessible(page, 'counter case list')
})
