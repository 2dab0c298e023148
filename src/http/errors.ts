// Errors our own routes throw; the error middleware turns them into a page or JSON with the status.
import type { MessageKey } from '../i18n/en.ts';
import type { Refused } from './hostile-text.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly messageKey: MessageKey;
  constructor(status: number, messageKey: MessageKey, detail?: string) {
    super(detail ?? messageKey);
    this.status = status;
    this.messageKey = messageKey;
  }
}

/** Where in the request a refused value was. */
export type InputPlace = 'path' | 'query' | 'form';

/** The input boundary's refusal (src/http/input-boundary.ts): a 400 that is always audited. */
export class RefusedInput extends HttpError {
  readonly place: InputPlace;
  readonly refused: Refused;
  constructor(place: InputPlace, refused: Refused) {
    super(400, 'error.input', `refused input: ${refused.reason} in ${place}`);
    this.place = place;
    this.refused = refused;
  }
}
