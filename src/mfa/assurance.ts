// How a sign-in happened, in standard claims: `amr` values from RFC 8176 and two documented `acr`
// levels. Relying parties compare `acr` to ACR_MFA (or request it with acr_values) to know MFA happened.
export const ACR_PASSWORD = 'urn:tobira:acr:password';
export const ACR_MFA = 'urn:tobira:acr:mfa';
export const ACR_VALUES = [ACR_PASSWORD, ACR_MFA] as const;

/**
 * RFC 8176 §2: `pwd` password, `otp` one-time code, `hwk` proof of possession of a hardware-secured
 * key (a passkey or security key), `user` user presence verified by the authenticator (PIN or
 * biometric), `mfa` more than one factor.
 */
export type Amr = 'pwd' | 'otp' | 'hwk' | 'user' | 'mfa';

export type Assurance = { acr: string; amr: Amr[] };

export const PASSWORD_ONLY: Assurance = { acr: ACR_PASSWORD, amr: ['pwd'] };
