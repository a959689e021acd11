// Rotation kind: the shift pattern of an on-call schedule (ssm-contacts rotation) and its overrides.
import type { KindModule } from '../../engine/plugin.ts';
import { createRotationHandler } from './handler.ts';

export const module: KindModule = { kind: 'Rotation', create: createRotationHandler };
