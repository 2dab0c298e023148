// The audit log page's words: every action Tobira records has a name in both languages (the
// actions are found in the source, so a new one without a name fails here), details read as
// sentences, and any other shape of details — old, unknown or hostile — reads as "key: value",
// never as JSON and never as an exception.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { actionLabel, describeDetails, NAMED_ACTIONS } from '../../src/audit/describe.ts';
import { AUDIT_ACTION } from '../../src/admin/access.ts';
import { KNOWN_ACTIONS } from '../../src/audit/query.ts';
import { translator } from '../../src/i18n/index.ts';
import { en } from '../../src/i18n/en.ts';
import { ja } from '../../src/i18n/ja.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const ACTION_NAME = /^[a-z_]+(\.[a-z_]+)*$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every action name written to the log anywhere in src/ and migrations/. */
function recordedActions(): Set<string> {
  const found = new Set<string>(Object.values(AUDIT_ACTION));
  const consoles = new Set<string>();
  for (const file of [...sourceFiles('src'), ...sourceFiles('migrations')]) {
    if (file.includes(`${join('src', 'i18n')}`)) continue;
    const source = readFileSync(file, 'utf8');
    // `action: 'x'`, `action: 'x' | 'y'` (a type), `action: cond ? 'x' : 'y'`, `const …ACTION = 'x'`.
    for (const m of source.matchAll(/\baction:\s*'([^']+)'(?:\s*\|\s*'([^']+)')*/g)) for (const name of [m[1], m[2]]) if (name) found.add(name);
    for (const m of source.matchAll(/\baction:\s*[^\n,]*?\?\s*'([^']+)'\s*:\s*'([^']+)'/g)) found.add(m[1]!).add(m[2]!);
    for (const m of source.matchAll(/\bconst [A-Z_]*ACTION = '([^']+)'/g)) found.add(m[1]!);
    for (const m of source.matchAll(/\bconsole: '([a-z]+)'/g)) consoles.add(m[1]!);
    if (/`\$\{spec\.console\}\.sign_in`/.test(source)) found.add('<console>.sign_in');
  }
  if (found.delete('<console>.sign_in')) for (const name of consoles) found.add(`${name}.sign_in`);
  // The admin pages' own names for their actions (`reset`, `role`, …) are mapped through AUDIT_ACTION.
  for (const userAction of Object.keys(AUDIT_ACTION)) found.delete(userAction);
  return new Set([...found].filter((name) => ACTION_NAME.test(name)));
}

describe('audit log sentences', () => {
  const enT = translator('en');
  const jaT = translator('ja');
  const context = (t = enT, timeZone = 'UTC', target?: string) => ({ t, timeZone, ...(target ? { target } : {}) });

  it('finds the actions in the source (the scan itself works)', () => {
    const actions = recordedActions();
    for (const expected of [
      'sign_in',
      'admin.sign_in',
      'account.sign_in',
      'mfa.totp',
      'mfa.recovery_code',
      'mfa.disable',
      'mfa.require',
      'mfa.require_lift',
      'lock',
      'lock.clear',
      'backchannel_logout',
      'session.end',
      'user.sessions_list',
      'workspace.time_zone_change',
      'user.disable',
      'console.session_ended',
    ]) {
      assert.ok(actions.has(expected), `found ${expected}`);
    }
    assert.ok(!actions.has('reset') && !actions.has('totp'), 'no page-level names or other literals');
  });

  it('names every recorded action in English and Japanese', () => {
    const missing = [...recordedActions(), ...KNOWN_ACTIONS].filter((action) => !NAMED_ACTIONS.includes(action));
    assert.deepEqual(missing, [], 'actions without a name in src/i18n/areas/audit.ts');
    for (const action of NAMED_ACTIONS) {
      const key = `audit.action.${action}` as keyof typeof en;
      assert.ok(ja[key] && ja[key] !== en[key], `${action} has its own Japanese name`);
      assert.notEqual(actionLabel(jaT, action), action);
    }
    assert.equal(actionLabel(enT, 'mfa.disable'), 'Two-step verification turned off');
    assert.equal(actionLabel(jaT, 'mfa.disable'), '多要素認証の無効化');
    assert.equal(actionLabel(enT, 'some.future_action'), 'some.future_action');
  });

  it('reads an operator MFA reset as a sentence in both languages', () => {
    const details = { reason: 'lost phone', email: 'bob@example.com', authenticators: 2, recovery_codes: 10 };
    assert.equal(
      describeDetails('mfa.reset', details, context(enT, 'UTC', 'bob@example.com')),
      'reason: lost phone — 2 authenticators and 10 recovery codes removed',
    );
    assert.equal(
      describeDetails('mfa.reset', details, context(jaT, 'UTC', 'bob@example.com')),
      '理由：lost phone／認証アプリ 2 件とリカバリーコード 10 件を削除',
    );
    // The admin page's reset records camelCase counts and the sessions it ended.
    assert.equal(
      describeDetails(
        'mfa.reset',
        { email: 'bob@example.com', authenticators: 1, recoveryCodes: 9, oidcArtefacts: 3 },
        context(enT, 'UTC', 'carol@example.com'),
      ),
      '1 authenticator and 9 recovery codes removed — 3 app sessions and tokens ended — user: bob@example.com',
    );
  });

  it('reads policy changes, renames, time zone changes and sign-ins', () => {
    const policy = { from: 'optional', to: 'required', users_to_enrol: 3 };
    assert.equal(describeDetails('workspace.policy_change', policy, context()), 'from “Optional” to “Required for everyone” — 3 users have not set it up yet');
    assert.equal(describeDetails('workspace.policy_change', policy, context(jaT)), '「任意」から「全員必須」に変更／未設定のユーザー 3 人');
    assert.equal(
      describeDetails('mfa.authenticator_rename', { from: 'Pixel', to: 'iPhone 15', user_id: 'x', via: 'account' }, context()),
      'from “Pixel” to “iPhone 15” — on the account page',
    );
    assert.equal(describeDetails('workspace.time_zone_change', { from: 'UTC', to: 'Asia/Tokyo' }, context(jaT)), 'UTC から Asia/Tokyo に変更');
    assert.equal(
      describeDetails(
        'sign_in',
        { client_id: 'demo-app', amr: ['pwd', 'otp', 'mfa'], acr: 'urn:x', mfa_reasons: ['workspace_policy'], step_up: false },
        context(),
      ),
      'signed in with password, authenticator code — two-step verification asked because of: workspace policy — app: demo-app',
    );
    assert.equal(
      describeDetails(
        'mfa.disable',
        { authenticators_removed: 1, recovery_codes_removed: 10, ended_oidc_artefacts: 0, ended_console_sessions: 1, via: 'account' },
        context(),
      ),
      '1 authenticator and 10 recovery codes removed — 1 console session ended — on the account page',
    );
  });

  it('shows lock ends in the workspace time zone', () => {
    const lock = { factor: 'second_factor', until: '2026-11-25T00:15:00.000Z' };
    assert.equal(describeDetails('lock', lock, context(enT, 'Asia/Tokyo')), 'code entry — until 2026-11-25 09:15 JST');
    assert.equal(describeDetails('lock', lock, context(jaT, 'Asia/Tokyo')), '確認コードの入力／2026-11-25 09:15 JST まで');
  });

  it('falls back to key: value for an unknown action or unexpected shapes, never JSON', () => {
    assert.equal(
      describeDetails('some.future_action', { colour: 'blue', nested: { a: 1, b: [true, null] }, empty: [] }, context()),
      'colour: blue — nested: (a: 1, b: yes, —) — empty: —',
    );
    // A known key with a value of another shape is not dropped: it is shown as it is.
    assert.equal(describeDetails('mfa.reset', { reason: { code: 7 }, authenticators: 'two' }, context()), 'reason: (code: 7) — authenticators: two');
    assert.equal(describeDetails('sign_in', null, context()), '');
    assert.equal(describeDetails('sign_in', 'just text', context()), 'just text');
    assert.equal(describeDetails('sign_in', [1, 2], context()), '1, 2');
    assert.equal(describeDetails('sign_in', {}, context()), '');
  });

  it('never throws, never shows JSON and stays short, whatever the details (fuzz)', () => {
    let seed = 13;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const strings = ['', '<script>alert(1)</script>', '{"a":1}', 'x'.repeat(5000), '\u202e\u0000', 'toString', '__proto__', 'wrong', 'optional'];
    const keys = [
      'reason',
      'from',
      'to',
      'amr',
      'mfa_reasons',
      'until',
      'filters',
      'cleared',
      'authenticators',
      'recovery_codes',
      'label',
      'email',
      'value',
      'constructor',
      '__proto__',
      'x'.repeat(300),
    ];
    const value = (depth: number): unknown => {
      const pick = Math.floor(random() * 8);
      if (depth > 4 || pick === 0) return strings[Math.floor(random() * strings.length)];
      if (pick === 1) return Math.floor(random() * 1e6) - 5e5;
      if (pick === 2) return random() < 0.5;
      if (pick === 3) return null;
      if (pick === 4) return Array.from({ length: Math.floor(random() * 12) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 10) }, () => [keys[Math.floor(random() * keys.length)]!, value(depth + 1)]));
    };
    const actions = [...NAMED_ACTIONS, 'unknown.action', '__proto__', 'constructor'];
    for (let i = 0; i < 2000; i++) {
      const details = value(0);
      for (const t of [enT, jaT]) {
        const action = actions[i % actions.length]!;
        const words = describeDetails(action, details, context(t, i % 2 ? 'Asia/Tokyo' : 'UTC'));
        assert.equal(typeof words, 'string');
        assert.ok(!/\{"|":/.test(words.replace(/\{"a":1\}/g, '')), `no JSON for ${action}: ${words.slice(0, 200)}`);
        assert.ok(words.length < 20_000, `bounded: ${words.length}`);
      }
    }
  });
});
