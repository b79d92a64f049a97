// Chinese names of the API's status codes, as the consoles show them.
export { CASE_STATUS } from '../citizen/words' // one wording of a case's status for the applicant and the staff

export const MATTER_STATUS: Record<string, string> = {
  pending: '待办理',
  in_progress: '办理中',
  awaiting_review: '待部门审核',
  succeeded: '已办结',
  rejected: '未通过',
  failed: '失败',
}

export const MATERIAL_STATUS: Record<string, string> = {
  required: '待提交',
  provided: '已由数据共享提供',
  awaiting_upload: '待上传',
  uploaded: '已上传',
  rejected: '需重新上传',
  deleted: '已按期删除',
}

export const MATTER_NAMES: Record<string, string> = {
  apply: '社会保障卡申领',
  reissue: '社会保障卡补领、换领、换发',
  activate: '社会保障卡启用',
  loss: '社会保障卡挂失、解挂',
  cancel: '社会保障卡注销',
  info_change: '社会保障卡信息变更',
  status_query: '社会保障卡应用状态查询',
  pension_account: '养老保险待遇发放账号维护申请',
}

/** A case still moving on its own: its screen refreshes. */
export function isRunning(status: string): boolean {
  return status === 'submitted' || status === 'processing'
}
