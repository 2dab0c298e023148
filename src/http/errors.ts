// Errors our own routes throw; the error middleware turns them into a page or JSON with the status.
import type { MessageKey } from '../i18n/en.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly messageKey: MessageKey,
    detail?: string,
  ) {
    super(detail ?? messageKey);
  }
}
