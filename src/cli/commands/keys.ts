// tobira keys rotate
import { KEY_ACTIVATION_DELAY_MS, RETIRED_KEY_GRACE_SECONDS, rotateSigningKey } from '../../oidc/keys.ts';
import type { Command, CommandGroup } from '../command.ts';
import { auditedChange } from '../audit.ts';
import { withDatabase } from '../session.ts';

const minutes = KEY_ACTIVATION_DELAY_MS / 60_000;
const hours = RETIRED_KEY_GRACE_SECONDS / 3600;

const rotate: Command = {
  name: 'keys rotate',
  summary: 'add a new token signing key and retire the current one',
  help: `keys rotate

Adds a new signing key. Running Tobira nodes publish it in their JWKS within a minute (no restart
needed) and sign with it ${minutes} minutes after the rotation, so no relying party receives a
token whose key it cannot fetch. The current key signs until then and keeps verifying tokens
for ${hours} hours after.`,
  options: {},
  async run() {
    const { kid, activeFrom, retired } = await withDatabase(async ({ db, dataKey }) =>
      auditedChange(db, async (trx) => {
        const rotation = await rotateSigningKey(trx, dataKey());
        const details = { retired: rotation.retired, activeFrom: rotation.activeFrom.toISOString() };
        return { result: rotation, event: { action: 'keys.rotate', targetType: 'signing_key', targetId: rotation.kid, details } };
      }),
    );
    const from = activeFrom.toISOString();
    return {
      json: { kid, alg: 'RS256', activeFrom: from, retired, graceSeconds: RETIRED_KEY_GRACE_SECONDS },
      text: [
        `New signing key: ${kid}`,
        `Running Tobira nodes publish it within a minute (no restart is needed); nodes will sign with the new key from ${from}.`,
        retired.length
          ? `Retired: ${retired.join(', ')} (signs until ${from}, then keeps verifying tokens for ${hours} hours)`
          : 'There was no signing key before this one.',
      ].join('\n'),
    };
  },
};

export const keysCommands: CommandGroup = { name: 'keys', summary: 'manage token signing keys', commands: [rotate] };
