// Adding a passkey or security key from /account, in two steps so the fresh proof cannot be
// skipped: first the user confirms it is them (an app's code, a passkey, or the password when they
// have no factor yet); only then is a registration challenge issued, and with it a ticket sealed
// to this console session that names that challenge and expires five minutes after the proof. The
// final POST stores the passkey only for an answer to exactly that challenge, which is consumed.
import type { Context } from 'koa';
import Router from '@koa/router';
import type { AccountDeps } from './spec.ts';
import { assertCsrf, consoleState } from '../console/session.ts';
import { renderConsolePage } from '../console/render.ts';
import { HttpError } from '../http/errors.ts';
import { field, readForm } from '../http/form-body.ts';
import { open, seal } from '../crypto/secret-box.ts';
import { MAX_LABEL_LENGTH } from '../mfa/enrolment.ts';
import { registrationOptions } from '../mfa/passkey.ts';
import { confirmPasskeyEnrolment } from '../mfa/passkey-enrolment.ts';
import { checkFreshProof, type ProofMethod } from '../mfa/self-service.ts';
import { ACCOUNT_HOME, accountNav, auditChange, changeEvent, proofError, renderConfirm, tr, type PageError } from './common.ts';
import { freshView, readProof, rpOf, scriptJson } from './fresh-proof.ts';
import { renderRecoveryCodes } from './codes-page.ts';
import { doneHref } from './home.ts';

const START = `${ACCOUNT_HOME}/passkeys/new`;
const FINISH = `${ACCOUNT_HOME}/passkeys`;
/** How long a proof stands for the ceremony that follows it (the "within 5 minutes" of the product). */
const PROOF_VALID_MS = 5 * 60 * 1000;

type Ticket = { challenge: string; until: number; proof: ProofMethod };

const ticketPurpose = (consoleSessionId: string) => `account-passkey:${consoleSessionId}`;

function openTicket(deps: AccountDeps, ctx: Context, sealed: string): Ticket | undefined {
  try {
    const ticket = JSON.parse(open(deps.dataKey, ticketPurpose(consoleState(ctx).session.id), sealed)) as Ticket;
    return typeof ticket.challenge === 'string' && typeof ticket.until === 'number' ? ticket : undefined;
  } catch {
    return undefined;
  }
}

/** The challenge the browser signed, read from its client data; undefined when there is none. */
function answeredChallenge(response: string): string | undefined {
  try {
    const parsed = JSON.parse(response) as { response?: { clientDataJSON?: unknown } };
    const clientData = parsed.response?.clientDataJSON;
    if (typeof clientData !== 'string') return undefined;
    const challenge = (JSON.parse(Buffer.from(clientData, 'base64url').toString('utf8')) as { challenge?: unknown }).challenge;
    return typeof challenge === 'string' ? challenge : undefined;
  } catch {
    return undefined;
  }
}

async function showProof(deps: AccountDeps, ctx: Context, error?: PageError): Promise<void> {
  const t = tr(ctx);
  await renderConfirm(
    ctx,
    {
      heading: t('passkeys.add.title'),
      lead: t('passkeys.add.proofLead'),
      action: START,
      submit: t('passkeys.add.continue'),
      fresh: await freshView(deps, consoleState(ctx).user.id),
      error: error?.message,
    },
    error?.status,
  );
}

/** The second step: a new challenge, and a ticket that carries the proof's time forward. */
async function showCeremony(deps: AccountDeps, ctx: Context, proof: { until: number; method: ProofMethod }, label = '', error?: PageError): Promise<void> {
  const { user, session } = consoleState(ctx);
  const t = tr(ctx);
  const options = await registrationOptions(deps.db, rpOf(deps), user, deps.clock.now());
  const ticket: Ticket = { challenge: options.challenge, until: proof.until, proof: proof.method };
  await renderConsolePage(
    ctx,
    'account/add-passkey',
    {
      title: t('passkeys.add.title'),
      nav: accountNav(t),
      optionsJson: scriptJson(options),
      ticket: seal(deps.dataKey, ticketPurpose(session.id), JSON.stringify(ticket)),
      label,
      maxLabel: MAX_LABEL_LENGTH,
      action: FINISH,
      cancelHref: ACCOUNT_HOME,
      error: error?.message,
    },
    error?.status ?? 200,
  );
}

export function addPasskeyRoutes(deps: AccountDeps): Router {
  const router = new Router();

  router.get(START, (ctx) => showProof(deps, ctx));

  router.post(START, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const { user } = consoleState(ctx);
    const now = deps.clock.now();
    const proof = await checkFreshProof(deps.db, deps.dataKey, user, readProof(deps, form, ctx), now);
    if (!proof.ok) {
      await auditChange(deps.db, ctx, {
        action: 'mfa.passkey_enrol',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason: proof.reason, proof: proof.method, where: 'account' },
      });
      return showProof(deps, ctx, proofError(tr(ctx), proof, now));
    }
    await showCeremony(deps, ctx, { until: now.getTime() + PROOF_VALID_MS, method: proof.method });
  });

  router.post(FINISH, async (ctx) => {
    const form = await readForm(ctx);
    assertCsrf(ctx, form);
    const { user } = consoleState(ctx);
    const t = tr(ctx);
    const now = deps.clock.now();
    const ticket = openTicket(deps, ctx, field(form, 'ticket'));
    // No ticket (a forged or replayed form, or another session's): the proof was never given here.
    if (!ticket) throw new HttpError(400, 'passkeys.add.noProof', 'passkey registration without a fresh proof in this session');
    if (ticket.until <= now.getTime()) throw new HttpError(400, 'passkeys.add.expired', 'fresh proof older than five minutes');
    const label = field(form, 'label').trim();
    const again = (message: string, status: number) => showCeremony(deps, ctx, { until: ticket.until, method: ticket.proof }, label, { message, status });
    if (label.length > MAX_LABEL_LENGTH) return again(t('account.label.tooLong', { max: String(MAX_LABEL_LENGTH) }), 400);
    const response = field(form, 'response');
    const fail = async (reason: string, message: string, status: number) => {
      await auditChange(deps.db, ctx, {
        action: 'mfa.passkey_enrol',
        outcome: 'failure',
        targetType: 'user',
        targetId: user.id,
        details: { reason, label, where: 'account' },
      });
      return again(message, status);
    };
    if (!response) return again(t('passkeys.add.missing'), 400);
    const answered = answeredChallenge(response);
    if (answered === undefined) return fail('malformed', t('passkeys.add.malformed'), 400);
    // An answer to any other challenge (an older page, another flow) is not covered by this proof.
    if (answered !== ticket.challenge) return fail('rejected', t('passkeys.add.rejected'), 400);
    const result = await confirmPasskeyEnrolment(deps.db, deps.dataKey, rpOf(deps), {
      userId: user.id,
      label: label || t('passkeys.add.defaultLabel'),
      response,
      now,
      audit: ({ passkey, recoveryCodesIssued }) =>
        changeEvent(ctx, {
          action: 'mfa.passkey_enrol',
          outcome: 'success',
          targetType: 'passkey',
          targetId: passkey.id,
          details: { label: passkey.label, where: 'account', recovery_codes_issued: recoveryCodesIssued, proof: ticket.proof, user_id: user.id },
        }),
    });
    if (!result.ok) {
      if (result.reason === 'already') return fail('already', t('passkeys.add.already'), 409);
      return fail(result.reason, t(result.reason === 'malformed' ? 'passkeys.add.malformed' : 'passkeys.add.rejected'), 400);
    }
    if (result.recoveryCodes) return renderRecoveryCodes(ctx, result.recoveryCodes, t('passkeys.add.doneWithCodes'));
    ctx.redirect(doneHref('passkey-added'));
  });

  return router;
}
