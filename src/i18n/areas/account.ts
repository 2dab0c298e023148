// Messages of the account pages, in English and Japanese (same keys; ja is checked against en).
export const en = {
} as const;

export const ja: Record<keyof typeof en, string> = {
};
