// Messages shared by the admin console and the account page, in English and Japanese.
export const en = {
  'console.csrf': 'This form has expired. Reload the page and try again.',
  'console.signInExpired': 'Your sign-in to this page has expired. Sign in again.',
  'console.notAllowed': 'You do not have access to this page.',
  'console.notAdmin': 'Only user admins and workspace admins can use the admin console.',
  'console.forbidden': 'You are not allowed to do this.',
  'console.signOut': 'Sign out',
  'console.signedOut.title': 'Signed out',
  'console.signedOut.lead': 'You have signed out of this console.',
  'console.signIn': 'Sign in again',
  'console.signedInAs': 'Signed in as {email}',
  'admin.nav.users': 'Users',
  'admin.nav.workspace': 'Workspace settings',
  'admin.nav.audit': 'Audit log',
  'account.nav.home': 'My account',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'console.csrf': 'このフォームの有効期限が切れました。ページを再読み込みして、もう一度お試しください。',
  'console.signInExpired': 'このページのサインインの有効期限が切れました。もう一度サインインしてください。',
  'console.notAllowed': 'このページにアクセスする権限がありません。',
  'console.notAdmin': '管理コンソールを利用できるのは、ユーザー管理者とワークスペース管理者だけです。',
  'console.forbidden': 'この操作を行う権限がありません。',
  'console.signOut': 'サインアウト',
  'console.signedOut.title': 'サインアウトしました',
  'console.signedOut.lead': 'このコンソールからサインアウトしました。',
  'console.signIn': 'もう一度サインイン',
  'console.signedInAs': '{email} としてサインイン中',
  'admin.nav.users': 'ユーザー',
  'admin.nav.workspace': 'ワークスペースの設定',
  'admin.nav.audit': '監査ログ',
  'account.nav.home': 'アカウント',
};
