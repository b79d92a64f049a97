import { expect, test } from '@playwright/test'
import { expectAccessible, picture, residentFor, shot, signInAs } from './helpers'

test('a first card from a life situation: bank picker, an upload rejected and redone, submitted, waiting for review', async ({ page }, info) => {
  // neither has a card; 吴磊 has no shared data at all, 胡国平's ID e-license comes from data sharing
  const name = residentFor(info, '吴磊', '胡国平')
  await signInAs(page, `resident-${name}`)
  await page.getByTestId('start').click()
  await page.getByTestId('consent').click()
  await page.getByTestId('notice-next').click()

  await page.getByTestId('scenario-first_card').click()
  await expectAccessible(page, 'choose by life situation')
  await shot(page, info, 'choose-scenario')
  await page.getByTestId('prejudge').click()
  await expect(page.getByTestId('verdict-apply')).toContainText('可以办理')
  await page.getByTestId('to-form').click()

  // the bank and branch come from the cooperating banks' list, never typed
  await page.getByTestId('apply-bank').click()
  await expect(page.locator('.van-cascader')).toBeVisible()
  await expectAccessible(page, 'bank picker')
  await shot(page, info, 'bank-picker')
  await page.locator('.van-cascader__option', { hasText: '中国银行黄山分行' }).click()
  await page.locator('.van-cascader__option', { hasText: '屯溪支行（屯溪区）' }).click()
  await expect(page.getByTestId('apply-bank')).toContainText('中国银行黄山分行 · 屯溪支行')
  await page.getByTestId('contact-address').locator('textarea').fill('安徽省黄山市黄山区仙源镇振兴路2号')
  await expectAccessible(page, 'form')
  await shot(page, info, 'form')
  await page.getByTestId('form-save').click()

  // materials: what data sharing provided is done; the rest uploaded, a fake photo rejected with its reason
  await expect(page.getByTestId('material-photo')).toContainText('需要上传')
  if (name === '胡国平') {
    await expect(page.getByTestId('material-id_card_front')).toContainText('已通过数据共享获取')
  } else {
    await page.getByTestId('file-id_card_front').setInputFiles({ name: 'front.png', mimeType: 'image/png', buffer: await picture(page, '#9cc9ee') })
    await expect(page.getByTestId('material-id_card_front')).toContainText('检查通过', { timeout: 30_000 })
    await page.getByTestId('file-id_card_back').setInputFiles({ name: 'back.png', mimeType: 'image/png', buffer: await picture(page, '#dddddd') })
    await expect(page.getByTestId('material-id_card_back')).toContainText('检查通过', { timeout: 30_000 })
  }
  await page.getByTestId('file-photo').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('not a picture\n') })
  await expect(page.getByTestId('rejected-photo')).toContainText('文件不是 JPEG、PNG 图片或 PDF 文件', { timeout: 30_000 })
  await expect(page.getByTestId('rejected-photo')).toContainText('请重新拍摄或选择')
  await expect(page.getByTestId('to-review')).toBeDisabled()
  await expectAccessible(page, 'materials with a rejection')
  await shot(page, info, 'materials-rejected')
  await expect(page.getByTestId('redo-photo')).toHaveText('重新选择文件')
  await page.getByTestId('file-photo').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: await picture(page, '#ffffff') })
  await expect(page.getByTestId('material-photo')).toContainText('检查通过', { timeout: 30_000 })
  await shot(page, info, 'materials-done')
  await page.getByTestId('to-review').click()

  await page.getByTestId('submit').click()
  // the status query answers at once; the card application waits for the district's HR reviewer
  await expect(page.getByTestId('matter-status-apply')).toContainText('等待人社部门审核', { timeout: 30_000 })
  await expect(page.getByTestId('matter-status-apply')).toContainText(/应于 \d+月\d+日（星期.）24时前办结/)
  await expect(page.getByTestId('matter-status-status_query')).toContainText('已办结', { timeout: 30_000 })
  await expect(page.getByTestId('withdraw')).toHaveCount(0) // under review: no longer withdrawable
  await expectAccessible(page, 'case waiting for review')
  await shot(page, info, 'case-awaiting-review')
})
