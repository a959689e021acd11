// The contract between the emulator core and a service implementation (see CORE.md).
import type { EmulatorClock } from './clock.ts';
import type { AwsError } from './errors.ts';
import type { Faults } from './faults.ts';
import type { ModelTable } from './model/types.ts';
import type { Violation } from './model/validate.ts';
import type { EmulatorStore } from './store.ts';

export interface RequestContext {
  service: string;
  operation: string;
  /** Account resolved from the access key (see accounts.ts). */
  account: string;
  /** Region from the SigV4 credential scope (default us-east-1 when unsigned). */
  region: string;
  accessKeyId: string | undefined;
  /** ARN of the caller (IAM user or assumed-role session). */
  callerArn: string;
  requestId: string;
  store: EmulatorStore;
  faults: Faults;
  clock: EmulatorClock;
}

// Handlers receive the input already validated against the model table; `any` keeps them concise.
// biome-ignore lint/suspicious/noExplicitAny: validated wire input
export type Input = any;
export type Handler = (input: Input, ctx: RequestContext) => unknown;

export interface ServicePlugin {
  /** SigV4 signing name (`ssm-incidents`, `ssm-contacts`, `ram`, `sts`). */
  name: string;
  protocol: 'restJson1' | 'awsJson1_1' | 'awsQuery';
  /** Generated constraint table; absent for STS (awsQuery, validated by hand). */
  model?: ModelTable;
  /** awsJson1_1: the X-Amz-Target prefix, e.g. `SSMContacts`. */
  targetPrefix?: string;
  /** awsQuery: XML namespace of responses. */
  xmlns?: string;
  handlers: Record<string, Handler>;
  /** Builds this service's error for model-constraint violations. */
  validationError(violations: Violation[], operation: string): AwsError;
  /** This service's throttling error. */
  throttlingError(operation: string): AwsError;
  /** This service's internal error (used by the 5xx fault). */
  internalError(): AwsError;
}

export interface ServiceEnv {
  store: EmulatorStore;
  faults: Faults;
  clock: EmulatorClock;
  options: EmulatorOptions;
}

export interface EmulatorOptions {
  /** Milliseconds a CREATING/UPDATING/DELETING resource takes to settle (emulator clock). Default 1000. */
  transitionMs: number;
}

/** Each directory under services/ exports `createPlugin` from its `plugin.ts`. */
export type PluginFactory = (env: ServiceEnv) => ServicePlugin;
