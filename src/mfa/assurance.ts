// How a sign-in happened, in standard claims: `amr` values from RFC 8176 and two documented `acr`
// levels. Relying parties compare `acr` to ACR_MFA (or request it with acr_values) to know MFA happened.
export const ACR_PASSWORD = 'urn:tobira:acr:password';
export const ACR_MFA = 'urn:tobira:acr:mfa';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA] as const;

/**
 * RFC 8176 §2: `pwd` password, `otp` one-time code, `hwk` proof of possession of a hardware-secured
 * key (a passkey or security key), `user` a test that the person is there, `mfa` more than one
 * factor. Every WebAuthn answer carries a touch, which would tell a relying party nothing, so
 * `user` is added only when the authenticator verified the person (PIN or biometric, WebAuthn's
 * UV flag); it does not say which, so neither `pin` nor `fpt` is claimed.
 */
export type Amr = 'pwd' | 'otp' | 'hwk' | 'user' | 'mfa';

export type Assurance = { acr: string; amr: Amr[] };

export const PASSWORD_ONLY: Assurance = { acr: ACR_PASSWORD, amr: ['pwd'] };
