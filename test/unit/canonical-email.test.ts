// The one canonical form of an e-mail address (src/identity/email.ts): spellings of one address
// meet in one form, and text that cannot be compared safely is refused with a reason.
import assert from 'node:assert/strict';
import { canonicalEmail, type CanonicalEmailResult } from '../../src/identity/email.ts';

const ok = (email: string): CanonicalEmailResult => ({ ok: true, email }) as CanonicalEmailResult;
const refused = (reason: string): CanonicalEmailResult => ({ ok: false, reason }) as CanonicalEmailResult;

describe('canonical e-mail', () => {
  it('lower-cases letters without a locale', () => {
    assert.deepEqual(canonicalEmail('Alice@Example.COM'), ok('alice@example.com'));
    assert.deepEqual(canonicalEmail('ALICE@EXAMPLE.COM'), ok('alice@example.com'));
  });

  it('turns compatibility letters into plain ones: the Kelvin sign and full-width text', () => {
    assert.deepEqual(canonicalEmail('\u212Aate@example.com'), ok('kate@example.com'), 'K U+212A KELVIN SIGN is k');
    assert.deepEqual(canonicalEmail('ａｌｉｃｅ＠ＥＸＡＭＰＬＥ．ｃｏｍ'), ok('alice@example.com'));
    assert.deepEqual(canonicalEmail('ﬁona@example.com'), ok('fiona@example.com'), 'the ﬁ ligature is f + i');
  });

  it('gives a decomposed accent and its precomposed letter one form', () => {
    const decomposed = canonicalEmail('jose\u0301@example.com');
    const precomposed = canonicalEmail('jos\u00e9@example.com');
    assert.deepEqual(decomposed, ok('jos\u00e9@example.com'));
    assert.deepEqual(precomposed, decomposed);
    assert.deepEqual(canonicalEmail('JOS\u00c9@example.com'), decomposed);
  });

  it('refuses İ, whose lower case is i plus a separate combining dot, instead of guessing', () => {
    assert.deepEqual(canonicalEmail('\u0130nci@example.com'), refused('combining_mark'));
    assert.deepEqual(canonicalEmail('ali\u0307ce@example.com'), refused('combining_mark'), 'i + U+0307 typed directly');
    assert.deepEqual(canonicalEmail('e\u0301\u0301@example.com'), refused('combining_mark'), 'a second accent on é');
    assert.deepEqual(canonicalEmail('alice@\u0301example.com'), refused('combining_mark'), 'an accent on nothing');
  });

  it('keeps the combining vowel signs of scripts written with them', () => {
    assert.deepEqual(canonicalEmail('हिन्दी@example.in'), ok('हिन्दी@example.in'));
  });

  it('folds Greek final sigma, so every spelling of one Greek name is one address', () => {
    const upper = canonicalEmail('ΟΔΥΣΣΕΥΣ@example.gr');
    assert.deepEqual(upper, ok('οδυσσευσ@example.gr'));
    assert.deepEqual(canonicalEmail('οδυσσευς@example.gr'), upper);
    assert.deepEqual(canonicalEmail('οδυσσευσ@example.gr'), upper);
  });

  it('writes an internationalised domain in punycode', () => {
    assert.deepEqual(canonicalEmail('user@Bücher.example'), ok('user@xn--bcher-kva.example'));
    assert.deepEqual(canonicalEmail('user@xn--bcher-kva.example'), ok('user@xn--bcher-kva.example'));
  });

  it('trims surrounding white space and refuses any inside', () => {
    assert.deepEqual(canonicalEmail('  alice@example.com\t\n'), ok('alice@example.com'));
    assert.deepEqual(canonicalEmail('al ice@example.com'), refused('space'));
    assert.deepEqual(canonicalEmail('al\u00a0ice@example.com'), refused('space'), 'no-break space');
    assert.deepEqual(canonicalEmail('al\u3000ice@example.com'), refused('space'), 'ideographic space');
  });

  it('refuses control, invisible and broken characters', () => {
    assert.deepEqual(canonicalEmail('alice\u0000@example.com'), refused('control'), 'NUL');
    assert.deepEqual(canonicalEmail('al\u200bice@example.com'), refused('control'), 'zero-width space');
    assert.deepEqual(canonicalEmail('alice@exam\u00adple.com'), refused('control'), 'soft hyphen, which the domain mapping would drop');
    assert.deepEqual(canonicalEmail('\u202ealice@example.com'), refused('control'), 'right-to-left override');
    assert.deepEqual(canonicalEmail('al\ud800ice@example.com'), refused('control'), 'lone surrogate');
  });

  it('needs exactly one @ with text on both sides', () => {
    assert.deepEqual(canonicalEmail('alice@bob@example.com'), refused('not_one_at'));
    assert.deepEqual(canonicalEmail('alice＠bob@example.com'), refused('not_one_at'), 'a full-width @ is an @');
    assert.deepEqual(canonicalEmail('alice.example.com'), refused('not_one_at'));
    assert.deepEqual(canonicalEmail('@example.com'), refused('not_one_at'));
    assert.deepEqual(canonicalEmail('alice@'), refused('not_one_at'));
    assert.deepEqual(canonicalEmail('   '), refused('empty'));
  });

  it('refuses a domain the IDN mapping rejects, and URL escapes', () => {
    assert.deepEqual(canonicalEmail('alice@exa%41mple.com'), refused('domain'));
    assert.deepEqual(canonicalEmail('alice@exa<mple.com'), refused('domain'));
    assert.deepEqual(canonicalEmail('alice@exa\u05d0mple.com'), refused('domain'), 'Hebrew inside a Latin label breaks the bidi rule');
  });

  it('refuses more than 320 characters', () => {
    assert.deepEqual(canonicalEmail(`${'a'.repeat(300)}@${'b'.repeat(16)}.com`), refused('too_long'));
    assert.equal(canonicalEmail(`${'a'.repeat(300)}@${'b'.repeat(15)}.com`).ok, true);
    assert.deepEqual(canonicalEmail(`${'a'.repeat(100_000)}@example.com`), refused('too_long'));
  });

  it('is its own canonical form, for every code point of the BMP and the mathematical and enclosed letters', () => {
    const points = [
      [0, 0xffff],
      [0x1d400, 0x1d7ff],
      [0x1f100, 0x1f1ff],
    ].flatMap(([from, to]) => Array.from({ length: to! - from! + 1 }, (_, i) => from! + i));
    for (const cp of points) {
      if (cp >= 0xd800 && cp < 0xe000) continue;
      const c = String.fromCodePoint(cp);
      for (const typed of [`a${c}b@example.com`, `ab@ex${c}ample.com`]) {
        const once = canonicalEmail(typed);
        if (!once.ok) continue;
        assert.deepEqual(canonicalEmail(once.email), once, `U+${cp.toString(16)} in ${JSON.stringify(typed)}`);
      }
    }
  });
});
