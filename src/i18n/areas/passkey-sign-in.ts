// Messages of passkeys and security keys in the sign-in: the passkey step and the passkey choice
// of the enrolment page, in English and Japanese (same keys; ja is checked against en).
export const en = {
  'passkey.title': 'Two-step verification',
  'passkey.lead': 'Confirm it is you, {email}, with your passkey or security key.',
  'passkey.use': 'Use your passkey or security key',
  'passkey.unsupported': 'This browser cannot use passkeys or security keys. Choose another way below.',
  'passkey.useApp': 'Use a code from your authenticator app',
  'passkey.useRecovery': 'Use a recovery code',
  'passkey.usePasskey': 'Use your passkey or security key instead',
  'passkey.cancelled': 'The passkey was not used: the dialog was closed or timed out. Try again, or choose another way.',
  'passkey.malformed': 'The browser sent an answer that is not from a passkey. Try again.',
  'passkey.wrong': 'That passkey could not be verified. Use a passkey or security key registered for this account, or choose another way.',
  'passkey.replayed': 'That passkey answer was already used or has expired. Try again: your browser will ask the passkey once more.',
  'enrol.leadChoice':
    'Add an extra layer of security: after your password, you will confirm it is you with an authenticator app or with a passkey or security key. Choose one.',
  'enrol.app.heading': 'Authenticator app',
  'enrol.passkey.heading': 'Passkey or security key',
  'enrol.passkey.lead':
    'Use the fingerprint or face recognition of this device, its screen lock, or a security key such as a YubiKey. Your browser will ask you to confirm.',
  'enrol.passkey.label': 'Name of this passkey or security key',
  'enrol.passkey.labelPlaceholder': 'e.g. MacBook Touch ID',
  'enrol.passkey.submit': 'Add a passkey or security key',
  'enrol.passkey.cancelled': 'No passkey was added: the dialog was closed or timed out. Try again, or set up an authenticator app.',
  'enrol.passkey.already': 'This passkey or security key is registered already. Use another one, or set up an authenticator app.',
  'enrol.passkey.rejected': 'The passkey could not be added: the answer expired or did not come from this site. Try again.',
  'enrol.passkey.malformed': 'The browser sent an answer that is not from a passkey. Try again.',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'passkey.title': '多要素認証',
  'passkey.lead': 'パスキーまたはセキュリティキーで本人確認をしてください ({email})。',
  'passkey.use': 'パスキーまたはセキュリティキーを使用',
  'passkey.unsupported': 'このブラウザーではパスキーやセキュリティキーを使用できません。下のいずれかの方法を選んでください。',
  'passkey.useApp': '認証アプリのコードを使用する',
  'passkey.useRecovery': 'リカバリーコードを使用する',
  'passkey.usePasskey': 'パスキーまたはセキュリティキーを使用する',
  'passkey.cancelled': 'パスキーは使用されませんでした (ダイアログが閉じられたか、時間切れになりました)。もう一度お試しいただくか、別の方法を選んでください。',
  'passkey.malformed': 'ブラウザーから送られた応答がパスキーのものではありません。もう一度お試しください。',
  'passkey.wrong': 'パスキーを確認できませんでした。このアカウントに登録したパスキーまたはセキュリティキーを使用するか、別の方法を選んでください。',
  'passkey.replayed': 'このパスキーの応答はすでに使用されたか、有効期限が切れています。もう一度お試しください。ブラウザーがあらためてパスキーを求めます。',
  'enrol.leadChoice':
    'セキュリティを強化します。パスワードの入力後に、認証アプリ、またはパスキーやセキュリティキーで本人確認をします。どちらかを選んでください。',
  'enrol.app.heading': '認証アプリ',
  'enrol.passkey.heading': 'パスキーまたはセキュリティキー',
  'enrol.passkey.lead': 'このデバイスの指紋認証・顔認証や画面ロック、または YubiKey などのセキュリティキーを使います。ブラウザーが確認を求めます。',
  'enrol.passkey.label': 'このパスキーまたはセキュリティキーの名前',
  'enrol.passkey.labelPlaceholder': '例: MacBook の Touch ID',
  'enrol.passkey.submit': 'パスキーまたはセキュリティキーを追加',
  'enrol.passkey.cancelled':
    'パスキーは追加されませんでした (ダイアログが閉じられたか、時間切れになりました)。もう一度お試しいただくか、認証アプリを設定してください。',
  'enrol.passkey.already': 'このパスキーまたはセキュリティキーはすでに登録されています。別のものを使用するか、認証アプリを設定してください。',
  'enrol.passkey.rejected': 'パスキーを追加できませんでした。応答の有効期限が切れたか、このサイトからの応答ではありません。もう一度お試しください。',
  'enrol.passkey.malformed': 'ブラウザーから送られた応答がパスキーのものではありません。もう一度お試しください。',
};
