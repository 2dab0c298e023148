// Messages of the workspace time zone setting, in English and Japanese (same keys).
export const en = {
  'workspace.timeZone.heading': 'Time zone',
  'workspace.timeZone.label': 'Show times in',
  'workspace.timeZone.help':
    "Every time on the admin pages and on your users' account pages is shown in this time zone. Audit log downloads (CSV and JSON) stay in UTC.",
  'workspace.timeZone.example': 'The time now in this zone: {time}',
  'workspace.timeZone.save': 'Save time zone',
  'workspace.timeZone.saved': 'Times are now shown in {zone}.',
  'workspace.timeZone.unchanged': 'The time zone was already {zone}. Nothing changed.',
  'workspace.timeZone.invalid': '“{zone}” is not a time zone. Choose one from the list, such as Asia/Tokyo or UTC.',
} as const;

export const ja: Record<keyof typeof en, string> = {
  'workspace.timeZone.heading': 'タイムゾーン',
  'workspace.timeZone.label': '日時の表示に使うタイムゾーン',
  'workspace.timeZone.help':
    '管理画面とユーザーのアカウントページに表示される日時は、すべてこのタイムゾーンで表示されます。監査ログのダウンロード（CSV・JSON）は UTC のままです。',
  'workspace.timeZone.example': 'このタイムゾーンの現在時刻：{time}',
  'workspace.timeZone.save': 'タイムゾーンを保存',
  'workspace.timeZone.saved': '日時を {zone} で表示するように変更しました。',
  'workspace.timeZone.unchanged': 'タイムゾーンはすでに {zone} です。変更はありません。',
  'workspace.timeZone.invalid': '「{zone}」はタイムゾーンではありません。Asia/Tokyo や UTC など、一覧から選んでください。',
};
