/**
 * Names shared by the Node side and the workflow sandbox (this file imports nothing, so workflow code may load it).
 */

/** The HTTP header a request id arrives in and is returned in. */
export const REQUEST_ID_HTTP_HEADER = 'x-request-id';

/** The Temporal header (client → workflow → activity) that carries the request id. */
export const REQUEST_ID_TEMPORAL_HEADER = 'uplift-request-id';

/**
 * What an incoming X-Request-Id may look like to be kept: a proxy's or a caller's id (UUIDs, ULIDs, hex trace ids)
 * goes through; anything longer or with other characters could forge log lines or fill them, and is replaced.
 */
export const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
