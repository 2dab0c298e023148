import * as consoleArea from './areas/console.ts';
import * as adminUsers from './areas/admin-users.ts';
import * as adminUsersList from './areas/admin-users-list.ts';
import * as adminWorkspace from './areas/admin-workspace.ts';
import * as account from './areas/account.ts';
import * as lifecycle from './areas/lifecycle.ts';
import * as secondFactorHelp from './areas/second-factor-help.ts';
import * as labels from './areas/labels.ts';
import * as accountPasskeys from './areas/account-passkeys.ts';
import * as timeZone from './areas/time-zone.ts';
import * as audit from './areas/audit.ts';
import * as passkeySignIn from './areas/passkey-sign-in.ts';

// Sign-in, errors and other shared pages; each console area keeps its messages in ./areas/.
const core = {
  'lang.name': 'English',
  'lang.switch': '日本語',
  'login.title': 'Sign in',
  'login.lead': 'Sign in to continue to {client}.',
  'login.email': 'E-mail address',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.cancel': 'Cancel and return to the app',
  'login.failed': 'The e-mail address or password is incorrect. Check both and try again.',
  'login.missing': 'Enter your e-mail address and password.',
  'login.why.enrol': 'To set up two-step verification, first confirm it is you: enter your password again.',
  'login.why.enrolExpired': 'Your password confirmation is more than 5 minutes old. Enter your password again to finish setting up two-step verification.',
  'login.locked': 'Too many failed attempts. For your security, sign-in is paused: try again in {minutes} min.',
  'login.emailNotPlain':
    'This e-mail address contains a character that cannot be compared safely, such as İ, a separate accent mark or an invisible character. Type the address with plain letters and try again.',
  'login.emailInvalid': 'That is not an e-mail address. Type it as name@example.com, without spaces, and try again.',
  'totp.title': 'Two-step verification',
  'totp.lead': 'Enter the 6-digit code from your authenticator app for {email}.',
  'totp.code': 'Verification code',
  'totp.submit': 'Verify',
  'totp.useRecovery': 'Lost your phone? Use a recovery code instead',
  'totp.useApp': 'Use the code from your authenticator app instead',
  'totp.wrong': 'That code is not correct, or it has already been used. Wait for the next code in your app and try again.',
  'totp.malformed': 'Enter the 6 digits shown in your authenticator app.',
  'totp.locked':
    'Too many incorrect codes. For your security, verification is paused: try again in {minutes} min. If you have lost your phone, ask an administrator of your workspace to reset your two-step verification.',
  'recovery.title': 'Use a recovery code',
  'recovery.lead': 'Enter one of the recovery codes you saved when you set up two-step verification. Each code works once.',
  'recovery.code': 'Recovery code',
  'recovery.submit': 'Sign in with recovery code',
  'recovery.wrong': 'That recovery code is not correct, or it has already been used.',
  'recovery.malformed': 'A recovery code has 10 letters and digits, like abcde-23456.',
  'recovered.title': 'Signed in with a recovery code',
  'recovered.lead': 'That recovery code is now used up. You have {count} left.',
  'recovered.advice': 'If you no longer have your authenticator app, set up a new one now so you are not left with recovery codes only.',
  'recovered.enrol': 'Set up a new authenticator app',
  'recovered.continue': 'Continue without setting one up',
  'enrol.title': 'Set up two-step verification',
  'enrol.lead':
    'Add an extra layer of security: after your password, you will enter a code from an authenticator app such as Google Authenticator or Microsoft Authenticator.',
  'enrol.already.title': 'Two-step verification is set up',
  'enrol.already.body': 'This authenticator app was already set up by another submission of the same form. Nothing else was added.',
  'enrol.already.continue': 'Continue',
  'enrol.why.workspace_policy': 'Your workspace requires two-step verification.',
  'enrol.why.client_requires_mfa': '{client} requires two-step verification.',
  'enrol.why.request_acr': '{client} asked for two-step verification for this sign-in.',
  'enrol.why.admin_console': 'The admin console always requires two-step verification.',
  'enrol.why.admin_required': 'An administrator requires two-step verification for your account.',
  'enrol.why.enrolled': 'You chose to set up a new authenticator app.',
  'enrol.step1': '1. Scan this QR code with your authenticator app.',
  'enrol.manual': "Can't scan it? Enter this key in the app instead (time-based):",
  'enrol.step2': '2. Give the app a name you will recognise, and enter the 6-digit code it shows.',
  'enrol.label': 'Name of this authenticator',
  'enrol.labelPlaceholder': 'e.g. iPhone 15',
  'enrol.submit': 'Confirm and continue',
  'enrol.wrong': 'That code does not match. Check that the app shows the account for {email}, wait for a new code, and try again.',
  'codes.title': 'Save your recovery codes',
  'codes.lead':
    'If you lose your phone, each of these codes lets you sign in once. Keep them somewhere safe, such as a password manager. They will not be shown again.',
  'codes.copy': 'Copy codes',
  'codes.download': 'Download as a text file',
  'codes.continue': 'I have saved my codes — continue',
  'codes.file': 'Tobira recovery codes for {email}. Each code works once.',
  'consent.title': 'Allow access',
  'consent.lead': '{client} would like to:',
  'consent.scope.openid': 'Know who you are',
  'consent.scope.email': 'See your e-mail address',
  'consent.scope.profile': 'See your name',
  'consent.scope.offline_access': 'Stay signed in when you are not using it',
  'consent.scope.workspace': 'See which workspace you belong to',
  'consent.signedInAs': 'Signed in as {email}',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',
  'error.title': 'Something went wrong',
  'error.back': 'Return to the app you came from and start the sign-in again.',
  'error.interaction': 'This sign-in page has expired or was opened in another browser. Go back to the app and sign in again.',
  'error.notFound': 'This page does not exist.',
  'error.badRequest': 'The request could not be understood.',
  'error.server': 'An unexpected error occurred. Try again in a moment.',
  'error.unavailable.title': 'Temporarily unavailable',
  'error.unavailable': 'Tobira cannot reach its database right now. Try again in a moment.',
  'error.input':
    'What was sent contains characters Tobira does not accept: invisible control characters or text that is not valid UTF-8. Check what was typed or pasted and try again.',
  'error.tooLarge': 'What was sent is too large. Nothing was changed.',
  'error.oidc.invalid_redirect_uri':
    "The app sent you here with a return address it has not registered, so Tobira will not send you back there. Tell the app's developer.",
  'error.oidc.invalid_client': "The app that sent you here is not registered with Tobira. Tell the app's developer.",
  'error.oidc.invalid_request': "The app that sent you here made a request Tobira cannot accept. Tell the app's developer.",
  'error.oidc.unauthorized_client': "The app that sent you here is not allowed to make this request. Tell the app's developer.",
  'error.oidc.session_not_found': 'Your sign-in session has expired. Go back to the app and sign in again.',
  'error.technical': 'Technical detail for the developer:',
  'logout.title': 'Sign out',
  'logout.lead': 'Do you want to sign out of {name}?',
  'logout.yes': 'Sign out',
  'logout.no': 'Stay signed in',
  'logout.done.title': 'Signed out',
  'logout.done.lead': 'You have been signed out.',
  'home.title': 'Tobira',
  'home.lead': 'This is an OpenID Connect provider. Sign in from an application that uses it.',
} as const;

export const en = {
  ...core,
  ...consoleArea.en,
  ...adminUsers.en,
  ...adminUsersList.en,
  ...adminWorkspace.en,
  ...account.en,
  ...lifecycle.en,
  ...secondFactorHelp.en,
  ...labels.en,
  ...accountPasskeys.en,
  ...timeZone.en,
  ...audit.en,
  ...passkeySignIn.en,
};

export type MessageKey = keyof typeof en;
