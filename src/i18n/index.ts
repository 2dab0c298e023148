// Language choice (S18): an explicit choice in the `tobira_lang` cookie wins, then Accept-Language.
import type { Context } from 'koa';
import { en, type MessageKey } from './en.ts';
import { ja } from './ja.ts';

export type Lang = 'en' | 'ja';
export const LANGS: readonly Lang[] = ['en', 'ja'];
export const LANG_COOKIE = 'tobira_lang';
const catalogues: Record<Lang, Record<MessageKey, string>> = { en, ja };

export type Translate = (key: MessageKey, vars?: Record<string, string>) => string;

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** Best match from an Accept-Language header, honouring q-values; English when nothing matches. */
export function fromAcceptLanguage(header: string | undefined): Lang {
  const ranked = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.toLowerCase().split('-')[0], q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((entry) => entry.lang).find(isLang) ?? 'en';
}

export function pickLang(ctx: Context): Lang {
  const chosen = ctx.cookies.get(LANG_COOKIE);
  return isLang(chosen) ? chosen : fromAcceptLanguage(ctx.get('accept-language'));
}

export function translator(lang: Lang): Translate {
  const catalogue = catalogues[lang];
  return (key, vars = {}) => catalogue[key].replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? `{${name}}`);
}
