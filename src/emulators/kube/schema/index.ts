// Schema core of the Kubernetes API server emulator: CRD validation, structural validation,
// defaulting, pruning and CEL rules of custom resources. See ../FIDELITY.md.

export {
  type CauseReason,
  causes,
  causeToString,
  GoRendered,
  goQuote,
  goValue,
  type InvalidStatus,
  invalidStatus,
  renderValue,
  type StatusCause,
} from './causes.ts';
export { type CelCompileResult, compileCel, KubeQuantity, KubeURL, parseQuantity } from './cel.ts';
export { type CompiledSchema, compileVersionSchema } from './compile.ts';
export {
  costErrorMessage,
  estimateCost,
  MAX_REQUEST_SIZE_BYTES,
  maxSize,
  PER_CRD_COST_LIMIT,
  PER_RULE_COST_LIMIT,
} from './cost.ts';
export { validateCrd, validateCrdName } from './crd.ts';
export type { JSONSchemaProps, ValidationRule } from './types.ts';
