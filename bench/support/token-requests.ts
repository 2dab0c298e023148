// One request of a token flow, as a relying party or resource server makes it. Refresh: each
// virtual user walks its own chain of rotated refresh tokens.
import type { Attempt, TokenJob } from './load-jobs.ts';

export function tokenRequests(job: TokenJob): { attempt: Attempt; refreshTokens: string[] } {
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(job.clientId)}:${encodeURIComponent(job.clientSecret)}`).toString('base64')}`;
  const common: Record<string, string> = job.forwardedProto ? { 'x-forwarded-proto': job.forwardedProto } : {};
  const form = { ...common, authorization: basic, 'content-type': 'application/x-www-form-urlencoded' };
  const refreshTokens = [...job.refreshTokens];

  const failure = async (response: Response) => (response.status === 200 ? undefined : `${response.status} ${(await response.text()).slice(0, 200)}`);

  const attempt: Attempt = async (user) => {
    switch (job.flow) {
      case 'client_credentials': {
        const response = await fetch(job.base + job.tokenPath, { method: 'POST', headers: form, body: 'grant_type=client_credentials' });
        return (await failure(response)) ?? void (await response.arrayBuffer());
      }
      case 'refresh': {
        const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshTokens[user]! });
        const response = await fetch(job.base + job.tokenPath, { method: 'POST', headers: form, body });
        const problem = await failure(response);
        if (problem) return problem;
        const tokens = (await response.json()) as { refresh_token?: string };
        if (!tokens.refresh_token) return 'no rotated refresh token';
        refreshTokens[user] = tokens.refresh_token;
        return undefined;
      }
      case 'userinfo': {
        const response = await fetch(job.base + job.userinfoPath, { headers: { ...common, authorization: `Bearer ${job.accessTokens[user]}` } });
        return (await failure(response)) ?? void (await response.arrayBuffer());
      }
      case 'introspection': {
        const response = await fetch(job.base + job.introspectionPath, {
          method: 'POST',
          headers: form,
          body: new URLSearchParams({ token: job.accessTokens[user]! }),
        });
        const problem = await failure(response);
        if (problem) return problem;
        return ((await response.json()) as { active?: boolean }).active ? undefined : 'inactive token';
      }
    }
  };
  return { attempt, refreshTokens };
}
