/**
 * Faults tests can switch on: latency, throttling, 5xx and a JWKS outage, optionally limited to
 * some operations. Pure state and decisions; the server applies them.
 */

/** Faults to inject. */
export interface EmulatorFaults {
  /** Delay before handling each affected request, in ms. */
  latencyMs?: number;
  /** Answer affected requests with 400 TooManyRequestsException "Rate exceeded". */
  throttle?: boolean;
  /** Answer affected requests with 500 InternalErrorException. */
  serverError?: boolean;
  /** Answer JWKS (and openid-configuration) GETs with 503. */
  jwksDown?: boolean;
  /**
   * Operation names (`'InitiateAuth'`, …) that latency / throttle / serverError apply to. Default:
   * every Cognito API operation. Include `'jwks'` to delay or fail JWKS GETs the same way.
   */
  operations?: string[];
}

/**
 * Validates a fault spec (caller mistakes are TypeErrors) and returns a frozen copy.
 *
 * @example
 * normaliseFaults({ throttle: true, operations: ['InitiateAuth'] });
 */
export function normaliseFaults(faults: EmulatorFaults): Readonly<EmulatorFaults> {
  if (typeof faults !== 'object' || faults === null) throw new TypeError('faults must be an object');
  const { latencyMs, throttle, serverError, jwksDown, operations } = faults;
  if (latencyMs !== undefined && (!Number.isFinite(latencyMs) || latencyMs < 0)) {
    throw new TypeError('"latencyMs" must be a non-negative number of milliseconds');
  }
  for (const [name, value] of [['throttle', throttle], ['serverError', serverError], ['jwksDown', jwksDown]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`"${name}" must be a boolean`);
  }
  if (operations !== undefined && (!Array.isArray(operations) || operations.some((op) => typeof op !== 'string'))) {
    throw new TypeError('"operations" must be an array of operation names');
  }
  return Object.freeze({ ...faults, ...(operations ? { operations: Object.freeze([...operations]) as string[] } : {}) });
}

/** Whether latency / throttle / serverError apply to `operation` (`'jwks'` for JWKS GETs). */
export function faultApplies(faults: Readonly<EmulatorFaults>, operation: string): boolean {
  if (faults.operations) return faults.operations.includes(operation);
  return operation !== 'jwks';
}
