// Names and descriptions that appear inside sentences of either language: Tobira's own consoles
// as apps, the QR code's text alternative, and the disable confirmation on a user's page.
export const en = {
  'app.tobira-admin': 'Tobira admin console',
  'app.tobira-account': 'Tobira account',
  'enrol.qrAlt': 'QR code to scan with your authenticator app',
  'admin.users.disable.confirm': 'Sign this user out of every app now and stop them from signing in until an admin enables them again.',
  'admin.users.disable.confirmMissing': 'Tick the confirmation box to disable the user.',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'app.tobira-admin': 'Tobira 管理コンソール',
  'app.tobira-account': 'Tobira アカウント',
  'enrol.qrAlt': '認証アプリで読み取る QR コード',
  'admin.users.disable.confirm': 'このユーザーをすべてのアプリから直ちにサインアウトさせ、管理者が再び有効にするまでサインインできないようにします。',
  'admin.users.disable.confirmMissing': 'ユーザーを無効にするには、確認のチェックボックスをオンにしてください。',
};
