// Chromium's virtual WebAuthn authenticator (DevTools protocol), standing in for a platform
// passkey: it answers the browser's WebAuthn dialog at once, with user verification, so browser
// tests run the real navigator.credentials calls of our pages without a person touching a key.
import type { Page } from 'playwright-core';

export type VirtualAuthenticator = {
  /** Credentials the authenticator holds (one per registration it answered). */
  credentials: () => Promise<{ credentialId: string; signCount: number; rpId?: string }[]>;
  remove: () => Promise<void>;
};

export async function addVirtualAuthenticator(page: Page): Promise<VirtualAuthenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    remove: async () => {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
}
