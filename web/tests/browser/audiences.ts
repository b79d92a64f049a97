// Which specs run at one size only (playwright.config.ts) — and so where axe must look at their screens.
// The citizen's journeys run on both; the consoles are desktop first, the sign-in page and elderly mode phone first.
export const DESKTOP_ONLY = [/a_clerk_opens_a_case/, /an_operator_views_the_calendar/, /the_pension_system_accepts/, /a_bank_cannot_make_a_card/]
export const PHONE_ONLY = [/elderly_mode_persists/, /a_resident_signs_in_on_the_demo_page/]
