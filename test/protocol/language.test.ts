import assert from 'node:assert/strict';
import type { RunningTobira } from '../../src/boot.ts';
import { startTobira, makeClient } from '../helpers/tobira.ts';
import { Browser } from '../../bench/support/browser.ts';
import { discover, authorizationUrl } from '../../bench/support/rp.ts';

describe('language of the pages', () => {
  let tobira: RunningTobira;
  before(async () => {
    tobira = await startTobira();
  });
  after(async () => tobira.close());

  async function loginPage(browser: Browser) {
    const { clientId, secret } = await makeClient(tobira);
    const config = await discover(tobira.issuer, clientId, secret);
    return browser.open((await authorizationUrl(config)).url.href);
  }

  it('follows Accept-Language', async () => {
    const ja = await loginPage(new Browser(tobira.issuer, { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' }));
    assert.match(ja.html, /<html lang="ja">/);
    assert.match(ja.html, /メールアドレス/);
    assert.match(ja.html, /パスワード/);
    const en = await loginPage(new Browser(tobira.issuer, { 'accept-language': 'en-GB,en;q=0.9' }));
    assert.match(en.html, /<html lang="en">/);
    assert.match(en.html, /E-mail address/);
  });

  it('keeps the language chosen with the switch, over Accept-Language, and returns to the same page', async () => {
    const browser = new Browser(tobira.issuer, { 'accept-language': 'en' });
    const page = await loginPage(browser);
    const switchHref = /<a class="lang" href="([^"]+)"/.exec(page.html)![1]!.replace(/&amp;/g, '&');
    const switched = await browser.open(switchHref);
    assert.equal(new URL(switched.url).pathname, new URL(page.url).pathname);
    assert.match(switched.html, /サインイン/);
    const later = await loginPage(browser);
    assert.match(later.html, /<html lang="ja">/, 'the choice sticks for the next page');
  });

  it('never redirects the language switch off-site', async () => {
    const page = await new Browser(tobira.issuer).request(`${tobira.issuer}/lang/ja?back=//evil.example.test/`);
    assert.equal(page.headers.get('location'), '/');
  });
});
