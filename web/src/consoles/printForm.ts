// The 2023 application form of a case (GET /cases/{id}/form) is HTML behind the bearer token, so a
// plain link cannot open it: it is fetched with the token and shown in a new tab from a blob URL, where
// the clerk prints it (Ctrl+P, A4). The page has no scripts and loads nothing from outside.
import { api, asProblem, type Problem } from '../api/client'

export async function openCaseForm(caseId: string): Promise<Problem | null> {
  const tab = window.open('', '_blank') // opened in the click's turn, or a popup blocker stops it
  const { data, error, response } = await api.GET('/cases/{case_id}/form', { params: { path: { case_id: caseId } }, parseAs: 'text' })
  if (data === undefined) {
    tab?.close()
    return asProblem(error, response.status)
  }
  const url = URL.createObjectURL(new Blob([data], { type: 'text/html;charset=utf-8' }))
  if (tab) tab.location.href = url
  else window.location.assign(url)
  setTimeout(() => URL.revokeObjectURL(url), 60_000) // the tab has read it by then
  return null
}
