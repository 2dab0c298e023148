// What bench/load.ts is asked to do (JSON on its stdin) and what it answers (JSON on its stdout).
export type TokenFlow = 'client_credentials' | 'refresh' | 'userinfo' | 'introspection';
export type SignInFlow = 'password' | 'password + TOTP';

type Common = {
  /** http://127.0.0.1:<port>: the load generator talks to loopback only. */
  base: string;
  /** Set when the issuer is https behind the TLS stand-in. */
  forwardedProto?: 'https';
  clientId: string;
  clientSecret: string;
  seconds: number;
};

export type TokenJob = Common & {
  kind: 'tokens';
  flow: TokenFlow;
  tokenPath: string;
  userinfoPath: string;
  introspectionPath: string;
  /** One per virtual user. */
  accessTokens: string[];
  refreshTokens: string[];
};

export type SignInJob = Common & {
  kind: 'sign-in';
  flow: SignInFlow;
  issuer: string;
  concurrency: number;
  password: string;
  /** One per virtual user, each signing in again and again. */
  passwordUsers: string[];
  /** Enrolled users, each used once (a TOTP code is accepted once per 30 s step), from `firstTotpUser` on. */
  totpUsers: { email: string; secret: string }[];
  firstTotpUser: number;
};

export type LoadJob = TokenJob | SignInJob;

export type LoadResult = {
  completed: number;
  seconds: number;
  latenciesMs: number[];
  errors: number;
  errorSamples: string[];
  /** Tokens: the last rotated refresh token of each virtual user. */
  refreshTokens: string[];
  /** Sign-in: the next unused enrolled user; and whether they ran out before the time did. */
  nextTotpUser: number;
  exhausted: boolean;
};

/** One attempt of a virtual user: undefined on success, what went wrong otherwise, EXHAUSTED when it has nothing left to do. */
export type Attempt = (user: number) => Promise<string | undefined>;
export const EXHAUSTED = 'no unused enrolled user left';
