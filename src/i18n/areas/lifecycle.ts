// Messages shown while a node starts or stops, in English and Japanese (same keys; ja is checked against en).
export const en = {
  'lifecycle.title': 'One moment',
  'lifecycle.starting': 'Tobira is starting. Try again in a few seconds.',
  'lifecycle.stopping': 'Tobira is restarting. Try again in a few seconds.',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'lifecycle.title': 'しばらくお待ちください',
  'lifecycle.starting': 'Tobira を起動しています。数秒後にもう一度お試しください。',
  'lifecycle.stopping': 'Tobira を再起動しています。数秒後にもう一度お試しください。',
};
