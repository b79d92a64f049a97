import { expect, test } from '@playwright/test'
import { expectAccessible, signInAs } from './helpers'

test('a resident signs in on the demo page and lands on the citizen home', async ({ page }) => {
  await page.goto('/')
  await expect(page).toHaveURL(/\/app\/signin\?next=/)
  await expect(page.getByTestId('resident-李强')).toContainText('341003********0037')
  await expect(page.getByTestId('staff-hr-341003-01')).toBeVisible()
  await expectAccessible(page, 'sign-in')

  await page.getByTestId('resident-李强').click()
  await expect(page).toHaveURL(/\/app\/$/)
  await expect(page.getByText('您好，李强')).toBeVisible()
  await expectAccessible(page, 'home')
})

test('the token lives in memory only: a reload asks to sign in again', async ({ page }) => {
  await signInAs(page, 'resident-王芳')
  await expect(page.getByText('您好，王芳')).toBeVisible()
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))
  expect(stored).not.toContain('eyJ') // no JWT anywhere in web storage
  await page.reload()
  await expect(page).toHaveURL(/\/app\/signin/)

  await page.getByTestId('resident-王芳').click()
  await page.getByRole('button', { name: '退出' }).click()
  await expect(page).toHaveURL(/\/app\/signin/)
  await expect(page.getByRole('button', { name: '退出' })).toHaveCount(0)
})
