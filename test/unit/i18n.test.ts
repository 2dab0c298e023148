import assert from 'node:assert/strict';
import { fromAcceptLanguage, translator } from '../../src/i18n/index.ts';
import { en } from '../../src/i18n/en.ts';
import { ja } from '../../src/i18n/ja.ts';

describe('languages', () => {
  it('picks the best supported language from Accept-Language', () => {
    assert.equal(fromAcceptLanguage('ja-JP,ja;q=0.9,en-US;q=0.8'), 'ja');
    assert.equal(fromAcceptLanguage('fr-FR,fr;q=0.9,ja;q=0.5,en;q=0.3'), 'ja');
    assert.equal(fromAcceptLanguage('en;q=0.2,ja;q=0.8'), 'ja');
    assert.equal(fromAcceptLanguage('de-DE'), 'en');
    assert.equal(fromAcceptLanguage(undefined), 'en');
    assert.equal(fromAcceptLanguage('ja;q=0'), 'en');
  });

  it('has every English message in Japanese too, with the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      assert.ok(ja[key], `ja has ${key}`);
      const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(placeholders(ja[key]), placeholders(en[key]), `placeholders of ${key}`);
    }
  });

  it('fills placeholders', () => {
    assert.equal(translator('en')('login.lead', { client: 'Demo app' }), 'Sign in to continue to Demo app.');
    assert.equal(translator('ja')('login.lead', { client: 'Demo app' }), '「Demo app」を利用するにはサインインしてください。');
  });

  // A Latin word inside a Japanese sentence is usually an English string nobody translated
  // ("Tobira account を利用するには…"). Brands, standards and typed examples stay as they are.
  const LATIN_IN_JAPANESE = new Set(
    (
      'Tobira OpenID Connect TOTP QR ID IP URL CSV JSON UTC UTF-8 amr acr English ' +
      'Google Microsoft Authenticator Apple Face Touch Windows Hello YubiKey FIDO2 WebAuthn ' +
      'iPhone MacBook Android Asia HTTP CSRF YYYY-MM-DD abcde-23456'
    ).split(' '),
  );

  it('writes Japanese messages in Japanese: no Latin words but brands, standards and examples', () => {
    for (const [key, text] of Object.entries(ja)) {
      const words = text
        .replace(/\{\w+\}/g, '')
        .replace(/\bhttps?:\/\/\S*/g, '')
        .replace(/[\w.+-]+@[\w.-]+/g, '')
        .replace(/\/[\w/-]+/g, '')
        .match(/[A-Za-z][A-Za-z0-9-]*/g);
      const stray = (words ?? []).filter((word) => !LATIN_IN_JAPANESE.has(word));
      assert.deepEqual(stray, [], `ja ${key}: ${text}`);
    }
  });
});
