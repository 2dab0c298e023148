import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira, makeUser, makeWorkspace } from '../helpers/tobira.ts';
import { Browser, type Page } from '../../bench/support/browser.ts';
import { consoleSignIn } from '../helpers/console.ts';

// S18: every page in Japanese and English, chosen from Accept-Language, with a switch that sticks.
describe('S18 languages of the console pages', function () {
  this.timeout(30_000);
  const clock = adjustableClock();
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira({}, { clock });
  });
  after(async () => tobira.close());

  const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
  // Words that would betray an untranslated English string in a Japanese page's visible text.
  const ENGLISH_UI = /\b(Sign out|Users|Audit log|Workspace settings|Authenticator apps|Recovery codes|Reset|Delete|Save)\b/;

  function visibleText(page: Page): string {
    return page.html
      .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
  }

  function assertJapanese(page: Page, what: string): void {
    assert.equal(page.status, 200, `${what}: ${page.status} ${page.url}`);
    assert.match(page.html, /<html lang="ja">/, what);
    const text = visibleText(page);
    assert.match(text, JAPANESE, what);
    assert.doesNotMatch(text, ENGLISH_UI, `${what} has no untranslated interface text`);
  }

  it('shows the admin console and the account page in Japanese for a Japanese browser, and the switch to English sticks', async () => {
    const workspace = await makeWorkspace(tobira, 'optional');
    const admin = await makeUser(tobira, { workspaceSlug: workspace.slug, role: 'workspace_admin', name: '管理 太郎' });
    const member = await makeUser(tobira, { workspaceSlug: workspace.slug, name: '利用 花子' });
    const browser = new Browser(tobira.issuer, { 'accept-language': 'ja-JP,ja;q=0.9' });
    const { page: users } = await consoleSignIn(tobira, admin, '/admin/users', { browser, at: clock.now() });
    assertJapanese(users, 'users list');
    for (const path of [`/admin/users/${member.user.id}`, '/admin/users/new', '/admin/workspace', '/admin/audit']) {
      assertJapanese(await browser.open(`${tobira.issuer}${path}`), path);
    }
    clock.advance(30);
    const account = await browser.open(`${tobira.issuer}/account`);
    assertJapanese(account, 'account page');

    const switched = await browser.open(`${tobira.issuer}/lang/en?back=${encodeURIComponent('/admin/users')}`);
    assert.match(switched.html, /<html lang="en">/);
    assert.match(visibleText(switched), /Users/);
    const later = await browser.open(`${tobira.issuer}/admin/audit`);
    assert.match(later.html, /<html lang="en">/, 'the choice wins over Accept-Language on later pages');
    assert.match(visibleText(later), /Audit log/);
  });
});
