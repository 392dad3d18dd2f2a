/**
 * An error as it goes out on Cognito's wire: a Cognito error type (`__type`), a message, and the
 * HTTP status Cognito uses for it. Operations throw these; the server turns them into the AWS JSON
 * 1.1 error shape. Anything else thrown is an internal error (500, no detail leaked).
 *
 * Not the package's `CognitoServiceError` (`ERR_COGNITO_SERVICE`), which is what a client of
 * Cognito raises; this is what the emulator, playing Cognito, answers with.
 */
export class WireError extends Error {
  /** The Cognito error type, e.g. `NotAuthorizedException`. */
  readonly type: string;
  /** HTTP status to answer with: 400 for caller mistakes (the SDK does not retry those). */
  readonly status: number;

  /**
   * @param type the Cognito error type (`__type`).
   * @param message the message Cognito would send; never a password, token or secret.
   * @param status HTTP status, default 400.
   * @example
   * throw new WireError('NotAuthorizedException', 'Incorrect username or password.');
   */
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = status;
  }
}

/** `NotAuthorizedException` with Cognito's wording. */
export function notAuthorized(message = 'Incorrect username or password.'): WireError {
  return new WireError('NotAuthorizedException', message);
}

/** `InvalidParameterException`. */
export function invalidParameter(message: string): WireError {
  return new WireError('InvalidParameterException', message);
}

/** `ResourceNotFoundException`. */
export function resourceNotFound(message: string): WireError {
  return new WireError('ResourceNotFoundException', message);
}

/** `UserNotFoundException` "User does not exist.". */
export function userNotFound(): WireError {
  return new WireError('UserNotFoundException', 'User does not exist.');
}

/**
 * Cognito's validation message for a missing required member, e.g.
 * "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null".
 */
export function missingMember(member: string): WireError {
  const field = member.charAt(0).toLowerCase() + member.slice(1);
  return invalidParameter(
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

/** Cognito's validation message for a value outside an enumeration. */
export function notInEnum(member: string, value: string, allowed: readonly string[]): WireError {
  const field = member.charAt(0).toLowerCase() + member.slice(1);
  return invalidParameter(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${allowed.join(', ')}]`,
  );
}
