// The yardstick of bench/start.ts: a bare oidc-provider (the version Tobira uses) with its
// in-memory adapter, one static client and its development sign-in pages, on PORT.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'bench',
      client_secret: 'bench-secret-bench-secret-bench-secret',
      redirect_uris: ['https://rp.example.test/callback'],
    },
  ],
  pkce: { required: () => true },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
});
createServer(provider.callback()).listen(port, '127.0.0.1');
