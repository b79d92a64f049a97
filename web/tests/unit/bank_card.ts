// The bank console's tests: one card waiting to be made, and the list answer that holds it.
export const awaitingCard = {
  card_id: 'K-1',
  matter: 'apply',
  matter_name: '社会保障卡申领',
  bank: 'BOC',
  bank_name: '中国银行黄山分行',
  branch: '休宁支行',
  branch_district: '341022',
  applicant_name: '杨*',
  applicant_id_number: '342701********0069',
  status: 'awaiting_production',
  ordered_at: '2026-12-01T02:00:00Z',
}

/** GET /bank/cards as the API answers it with that one card. */
export function cardList(): Response {
  return new Response(JSON.stringify({ cards: [awaitingCard], next_cursor: null }), { status: 200, headers: { 'Content-Type': 'application/json' } })
}
