// The workspace's contact line (src/directory/help-contact.ts): what an admin may save, and which
// parts of it become links on the code prompt, a page an attacker can send a victim to.
import assert from 'node:assert/strict';
import { checkHelpContact, contactSegments } from '../../src/directory/help-contact.ts';

const links = (line: string) => contactSegments(line).filter((s) => s.href);

describe('help contact line', () => {
  it('is trimmed, empty means none, and at most 200 characters as PostgreSQL counts them', () => {
    assert.deepEqual(checkHelpContact('  IT desk  '), { ok: true, contact: 'IT desk' });
    assert.deepEqual(checkHelpContact('   '), { ok: true, contact: null });
    assert.deepEqual(checkHelpContact('😀'.repeat(200)), { ok: true, contact: '😀'.repeat(200) }, 'an emoji is one character, not two');
    assert.deepEqual(checkHelpContact('a'.repeat(201)), { ok: false, reason: 'too_long', length: 201 });
    assert.deepEqual(checkHelpContact('line\nbreak'), { ok: false, reason: 'control_character' });
  });

  it('joined, the segments give back the line unchanged', () => {
    const line = 'Desk: it@example.com or https://help.example.com/a?b=1#c. 内線 4100';
    assert.equal(
      contactSegments(line)
        .map((s) => s.text)
        .join(''),
      line,
    );
  });

  it('links an https URL and a plain e-mail address, without the punctuation after them', () => {
    assert.deepEqual(links('Mail it-help@example.com, or see https://help.example.com/lost-phone.'), [
      { text: 'it-help@example.com', href: 'mailto:it-help@example.com' },
      { text: 'https://help.example.com/lost-phone', href: 'https://help.example.com/lost-phone' },
    ]);
  });

  it('stops a URL at Japanese text that follows it without a space', () => {
    assert.deepEqual(links('https://help.example.com/itのページ（内線 4100）'), [{ text: 'https://help.example.com/it', href: 'https://help.example.com/it' }]);
  });

  it('never links another scheme, credentials in a URL, or a host without a dot', () => {
    for (const line of [
      'javascript:alert(1)',
      'http://help.example.com/',
      'data:text/html,<script>alert(1)</script>',
      'https://help.example.com@evil.example/',
      'https://user:pass@evil.example/',
      'https://localhost/',
    ]) {
      assert.deepEqual(
        links(line).filter((s) => !s.href?.startsWith('mailto:')),
        [],
        line,
      );
    }
    // The e-mail-looking part of a refused URL is not linked either: the URL was consumed whole.
    assert.deepEqual(links('https://help.example.com@evil.example/'), []);
  });
});
