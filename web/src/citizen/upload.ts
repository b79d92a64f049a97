// A material goes straight to S3 with the presigned POST the API answered (the file field is `file`).
// XMLHttpRequest, not fetch: only it reports the upload's progress.
export interface PresignedPost {
  url: string
  fields: Record<string, string>
}

/**
 * How long an upload may go without progress: a stalled connection (a lift, a weak cell) ends as a
 * failed upload to redo, not a bar that never moves. A slow but moving upload of a large photo goes on.
 */
export const UPLOAD_STALL_MS = 30_000

export function uploadFile(post: PresignedPost, file: Blob, onProgress: (percent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = new FormData()
    for (const [name, value] of Object.entries(post.fields)) body.append(name, value)
    body.append('file', file) // last: S3 ignores fields after the file
    const request = new XMLHttpRequest()
    request.open('POST', post.url)
    // XMLHttpRequest's timeout counts from the start: each progress moves it to UPLOAD_STALL_MS from now
    const started = performance.now()
    request.timeout = UPLOAD_STALL_MS
    request.upload.onprogress = (event) => {
      request.timeout = Math.ceil(performance.now() - started) + UPLOAD_STALL_MS
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100))
    }
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        onProgress(100)
        resolve()
      } else reject(new Error(`上传未成功（${request.status}），请重新上传`))
    }
    request.onerror = () => reject(new Error('网络中断，上传未完成，请重新上传'))
    request.ontimeout = () => reject(new Error('网络长时间没有响应，上传未完成，请重新上传'))
    request.send(body)
  })
}

export const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const
export type AcceptedType = (typeof ACCEPTED_TYPES)[number]

export function acceptedType(file: File): AcceptedType | null {
  return (ACCEPTED_TYPES as readonly string[]).includes(file.type) ? (file.type as AcceptedType) : null
}
