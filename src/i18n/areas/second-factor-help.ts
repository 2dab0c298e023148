// Messages for a person at the second-factor step without their phone: what to do, how many tries
// are left, what to remove after a recovery code, and the workspace's contact line (settings page).
// English and Japanese, same keys (ja is checked against en).
export const en = {
  'lostPhone.askAdmin':
    'No recovery codes either? Ask an administrator of your workspace to reset your two-step verification. You then sign in with your password and set up a new authenticator app.',
  'lostPhone.contact': 'How to reach them:',
  'lostPhone.attemptsLeft': '{count} attempts left before a {minutes}-minute pause.',
  'lostPhone.attemptLeft': '1 attempt left before a {minutes}-minute pause.',
  'lostPhone.withAttempts': '{message} {attempts}',
  'lostPhone.replayed': 'This code has already been used. Wait for the next code in your authenticator app and enter that one.',
  'lostPhone.factors.heading': 'Your authenticator apps',
  'lostPhone.factors.headingWithPasskeys': 'Your authenticator apps and passkeys',
  'lostPhone.factors.lead':
    'If one of these is on the phone you lost, remove it now: that phone can no longer be used to sign in, and your sessions in other browsers and apps end. This sign-in continues.',
  'lostPhone.factors.label': 'Name',
  'lostPhone.factors.added': 'Added',
  'lostPhone.factors.lastUsed': 'Last used',
  'lostPhone.factors.never': 'Never',
  'lostPhone.factors.select': 'Remove {label}',
  'lostPhone.factors.remove': 'Remove selected',
  'lostPhone.factors.none': 'You have no authenticator app now.',
  'lostPhone.factors.removed': 'Removed: {labels}. Your sessions in other browsers and apps have ended.',
  'lostPhone.factors.selectOne': 'Select the authenticator app to remove.',
  'lostPhone.factors.gone': 'That authenticator app was already removed.',
  'lostPhone.mustEnrol': 'Your workspace requires two-step verification. Set up a new authenticator app to continue.',
  'helpContact.heading': 'Help for users who lost their phone',
  'helpContact.lead':
    'Shown at sign-in next to the advice to ask an administrator to reset two-step verification, for example “IT help desk, ext. 4100, it-help@example.com”. At most {max} characters. An e-mail address or an https:// link becomes a link.',
  'helpContact.label': 'Contact line',
  'helpContact.save': 'Save contact line',
  'helpContact.saved': 'The contact line is saved.',
  'helpContact.cleared': 'The contact line is removed; users are told only to ask an administrator.',
  'helpContact.tooLong': 'The contact line has {length} characters; at most {max} are allowed.',
  'audit.action.workspace.help_contact': 'Contact line for lost phones changed',
  'audit.action.mfa.authenticator_remove': 'Authenticator app removed',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'lostPhone.askAdmin':
    'リカバリーコードもない場合は、ワークスペースの管理者に多要素認証のリセットを依頼してください。リセット後は、パスワードでサインインして新しい認証アプリを設定できます。',
  'lostPhone.contact': '連絡先：',
  'lostPhone.attemptsLeft': 'あと {count} 回間違えると、{minutes} 分間確認できなくなります。',
  'lostPhone.attemptLeft': 'あと 1 回間違えると、{minutes} 分間確認できなくなります。',
  'lostPhone.withAttempts': '{message}{attempts}',
  'lostPhone.replayed': 'このコードはすでに使用されています。認証アプリに次のコードが表示されるまで待ってから、そのコードを入力してください。',
  'lostPhone.factors.heading': '登録済みの認証アプリ',
  'lostPhone.factors.headingWithPasskeys': '登録済みの認証アプリとパスキー',
  'lostPhone.factors.lead':
    '紛失したスマートフォンの認証アプリがあれば、ここで削除してください。削除すると、そのスマートフォンではサインインできなくなり、ほかのブラウザーやアプリのセッションは終了します。このサインインはそのまま続行されます。',
  'lostPhone.factors.label': '名前',
  'lostPhone.factors.added': '登録日時',
  'lostPhone.factors.lastUsed': '最終使用日時',
  'lostPhone.factors.never': '未使用',
  'lostPhone.factors.select': '{label} を削除',
  'lostPhone.factors.remove': '選択した認証アプリを削除',
  'lostPhone.factors.none': '現在、登録済みの認証アプリはありません。',
  'lostPhone.factors.removed': '{labels} を削除しました。ほかのブラウザーやアプリのセッションは終了しました。',
  'lostPhone.factors.selectOne': '削除する認証アプリを選択してください。',
  'lostPhone.factors.gone': 'その認証アプリはすでに削除されています。',
  'lostPhone.mustEnrol': 'このワークスペースでは多要素認証が必須です。続行するには、新しい認証アプリを設定してください。',
  'helpContact.heading': 'スマートフォンを紛失したユーザーへの案内',
  'helpContact.lead':
    'サインイン画面で、管理者に多要素認証のリセットを依頼するよう案内する箇所に表示されます。例：「情報システム部ヘルプデスク（内線 4100、it-help@example.com）」。{max} 文字以内。メールアドレスと https:// で始まる URL はリンクになります。',
  'helpContact.label': '連絡先',
  'helpContact.save': '連絡先を保存',
  'helpContact.saved': '連絡先を保存しました。',
  'helpContact.cleared': '連絡先を削除しました。ユーザーには管理者に依頼するようにだけ案内されます。',
  'helpContact.tooLong': '連絡先が {length} 文字あります。{max} 文字以内で入力してください。',
  'audit.action.workspace.help_contact': '紛失時の連絡先の変更',
  'audit.action.mfa.authenticator_remove': '認証アプリの削除',
};
