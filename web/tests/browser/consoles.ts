// Helpers of the consoles' browser tests: the API calls a test makes to set a scene up (a citizen's
// case waiting for review, a card waiting at a bank) or to read what the consoles changed.
import { expect, type APIRequestContext, type Page } from '@playwright/test'

export interface Claims {
  sub: string
  name?: string
  roles: string[]
  district?: string
  id_number?: string
  bank?: string
  service_point?: string
}

/** A token of the local stack's development key for some claims. */
export async function tokenFor(request: APIRequestContext, claims: Claims): Promise<string> {
  const answer = await request.post('/dev/token', { data: claims })
  expect(answer.status()).toBe(201)
  return ((await answer.json()) as { token: string }).token
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` }
}

type CaseView = {
  case_id: string
  status: string
  matters: { code: string; status: string; result?: Record<string, unknown> | null }[]
  materials: { kind: string; status: string }[]
}

export async function caseOf(request: APIRequestContext, token: string, caseId: string): Promise<CaseView> {
  const answer = await request.get(`/cases/${caseId}`, { headers: bearer(token) })
  expect(answer.status()).toBe(200)
  return (await answer.json()) as CaseView
}

/** Waits (polling, as a front-end does) until the case satisfies `done`; answers it. */
export async function caseWhen(request: APIRequestContext, token: string, caseId: string, done: (c: CaseView) => boolean): Promise<CaseView> {
  let last: CaseView | null = null
  await expect
    .poll(async () => done((last = await caseOf(request, token, caseId))), { timeout: 45_000, intervals: [300, 500, 1000] })
    .toBe(true)
  return last!
}

/** A real PNG drawn by the browser (the material checker reads the content, not the name): the citizen suite's. */
import { picture as pngOf } from './helpers'

export { pngOf }

/** Uploads a picture for every material the case still needs, as the citizen app would, and waits until each is checked. */
export async function uploadMissing(request: APIRequestContext, page: Page, token: string, caseId: string): Promise<void> {
  const view = await caseOf(request, token, caseId)
  for (const m of view.materials.filter((m) => m.status === 'required' || m.status === 'rejected')) {
    const picture = await pngOf(page, '#cfe3f5')
    const declared = await request.post(`/cases/${caseId}/materials`, {
      headers: bearer(token),
      data: { kind: m.kind, content_type: 'image/png', size: picture.length },
    })
    expect(declared.ok()).toBe(true)
    const { upload } = (await declared.json()) as { upload: { url: string; fields: Record<string, string> } }
    const sent = await request.post(upload.url, { multipart: { ...upload.fields, file: { name: `${m.kind}.png`, mimeType: 'image/png', buffer: picture } } })
    expect(sent.ok()).toBe(true)
  }
  await caseWhen(request, token, caseId, (c) => c.materials.every((m) => m.status === 'uploaded' || m.status === 'provided'))
}
