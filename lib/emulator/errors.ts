/**
 * The error the emulator answers with: a Cognito error type (`__type`), a message, and the HTTP
 * status Cognito uses for it. Operations throw these; the server turns them into the AWS JSON 1.1
 * error shape. Anything else thrown is an internal error (500, no detail leaked).
 */
export class CognitoServiceError extends Error {
  /** The Cognito error type, e.g. `NotAuthorizedException`. */
  readonly type: string;
  /** HTTP status to answer with: 400 for caller mistakes (the SDK does not retry those). */
  readonly status: number;

  /**
   * @param type the Cognito error type (`__type`).
   * @param message the message Cognito would send; never a password, token or secret.
   * @param status HTTP status, default 400.
   * @example
   * throw new CognitoServiceError('NotAuthorizedException', 'Incorrect username or password.');
   */
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = status;
  }
}

/** `NotAuthorizedException` with Cognito's wording. */
export function notAuthorized(message = 'Incorrect username or password.'): CognitoServiceError {
  return new CognitoServiceError('NotAuthorizedException', message);
}

/** `InvalidParameterException`. */
export function invalidParameter(message: string): CognitoServiceError {
  return new CognitoServiceError('InvalidParameterException', message);
}

/** `ResourceNotFoundException`. */
export function resourceNotFound(message: string): CognitoServiceError {
  return new CognitoServiceError('ResourceNotFoundException', message);
}

/** `UserNotFoundException` "User does not exist.". */
export function userNotFound(): CognitoServiceError {
  return new CognitoServiceError('UserNotFoundException', 'User does not exist.');
}

/**
 * Cognito's validation message for a missing required member, e.g.
 * "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null".
 */
export function missingMember(member: string): CognitoServiceError {
  const field = member.charAt(0).toLowerCase() + member.slice(1);
  return invalidParameter(
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

/** Cognito's validation message for a value outside an enumeration. */
export function notInEnum(member: string, value: string, allowed: readonly string[]): CognitoServiceError {
  const field = member.charAt(0).toLowerCase() + member.slice(1);
  return invalidParameter(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${allowed.join(', ')}]`,
  );
}
