// tobira keys rotate
import { listUsableSigningKeys } from '../../db/signing-keys.ts';
import { RETIRED_KEY_GRACE_SECONDS, rotateSigningKey } from '../../oidc/keys.ts';
import type { Command, CommandGroup } from '../command.ts';
import { auditedChange } from '../audit.ts';
import { withDatabase } from '../session.ts';

const rotate: Command = {
  name: 'keys rotate',
  summary: 'add a new token signing key and retire the current one',
  help: `keys rotate

Adds a new signing key and retires the current one. The retired key keeps verifying tokens for
${RETIRED_KEY_GRACE_SECONDS / 3600} hours. Running Tobira nodes load the new key within a minute, no restart needed.`,
  options: {},
  async run() {
    const { kid, retired } = await withDatabase(async ({ db, dataKey }) =>
      auditedChange(db, async (trx) => {
        const retired = (await listUsableSigningKeys(trx, new Date())).filter((k) => k.retired_at === null).map((k) => k.kid);
        const kid = await rotateSigningKey(trx, dataKey());
        return { result: { kid, retired }, event: { action: 'keys.rotate', targetType: 'signing_key', targetId: kid, details: { retired } } };
      }),
    );
    const hours = RETIRED_KEY_GRACE_SECONDS / 3600;
    return {
      json: { kid, alg: 'RS256', retired, graceSeconds: RETIRED_KEY_GRACE_SECONDS },
      text: [
        `New signing key: ${kid}`,
        retired.length
          ? `Retired: ${retired.join(', ')} (keeps verifying tokens for ${hours} hours)`
          : 'There was no signing key before this one.',
        'Running Tobira nodes pick up the new key within a minute; no restart is needed.',
      ].join('\n'),
    };
  },
};

export const keysCommands: CommandGroup = { name: 'keys', summary: 'manage token signing keys', commands: [rotate] };
