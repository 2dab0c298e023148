import { deletedCount, type Db } from './connection.ts';

export type ChallengePurpose = 'register' | 'authenticate';

export async function insertChallenge(db: Db, values: { challengeHash: string; userId: string; purpose: ChallengePurpose; expiresAt: Date }): Promise<void> {
  await db('webauthn_challenges').insert({
    challenge_hash: values.challengeHash,
    user_id: values.userId,
    purpose: values.purpose,
    expires_at: values.expiresAt,
  });
}

/** Deletes the challenge if it is the user's, for this purpose and unexpired; true only for the one request that did. */
export async function consumeChallenge(db: Db, values: { challengeHash: string; userId: string; purpose: ChallengePurpose; now: Date }): Promise<boolean> {
  const deleted = await db('webauthn_challenges')
    .where({ challenge_hash: values.challengeHash, user_id: values.userId, purpose: values.purpose })
    .andWhere('expires_at', '>', values.now)
    .delete();
  return deletedCount(deleted) === 1;
}

export async function deleteExpiredChallenges(db: Db, limit: number): Promise<number> {
  return deletedCount(
    await db.raw('delete from webauthn_challenges where ctid = any(array(select ctid from webauthn_challenges where expires_at < now() limit ?))', [limit]),
  );
}
