/**
 * @bioimageit/server/client — a typed client of the BioImageIT REST API over `fetch`, with no
 * dependency on Node.js or on the server's code: {@link BioImageItClient}, and the types of every
 * schema and operation, generated from the server's OpenAPI document.
 */
export {
  BioImageItClient,
  ApiRequestError,
  type BioImageItClientOptions,
  type OperationId,
  type OperationInput,
  type OperationResponse,
} from './api-client.js';
export * from './api-types.js';
